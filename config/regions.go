package config

import "strings"

// Partitions.
const (
	partitionAWS   = "aws"
	partitionChina = "aws-cn"
	partitionGov   = "aws-us-gov"
)

// regionPartitions lists the AWS regions this app accepts, with their
// partition. ECR replicates only within a partition.
var regionPartitions = map[string]string{
	// aws (commercial, including opt-in regions)
	"af-south-1":     partitionAWS,
	"ap-east-1":      partitionAWS,
	"ap-east-2":      partitionAWS,
	"ap-northeast-1": partitionAWS,
	"ap-northeast-2": partitionAWS,
	"ap-northeast-3": partitionAWS,
	"ap-south-1":     partitionAWS,
	"ap-south-2":     partitionAWS,
	"ap-southeast-1": partitionAWS,
	"ap-southeast-2": partitionAWS,
	"ap-southeast-3": partitionAWS,
	"ap-southeast-4": partitionAWS,
	"ap-southeast-5": partitionAWS,
	"ap-southeast-6": partitionAWS, // Asia Pacific (New Zealand)
	"ap-southeast-7": partitionAWS,
	"ca-central-1":   partitionAWS,
	"ca-west-1":      partitionAWS,
	"eu-central-1":   partitionAWS,
	"eu-central-2":   partitionAWS,
	"eu-north-1":     partitionAWS,
	"eu-south-1":     partitionAWS,
	"eu-south-2":     partitionAWS,
	"eu-west-1":      partitionAWS,
	"eu-west-2":      partitionAWS,
	"eu-west-3":      partitionAWS,
	"il-central-1":   partitionAWS,
	"me-central-1":   partitionAWS,
	"me-south-1":     partitionAWS,
	"mx-central-1":   partitionAWS,
	"sa-east-1":      partitionAWS,
	"us-east-1":      partitionAWS,
	"us-east-2":      partitionAWS,
	"us-west-1":      partitionAWS,
	"us-west-2":      partitionAWS,
	// aws-cn
	"cn-north-1":     partitionChina,
	"cn-northwest-1": partitionChina,
	// aws-us-gov
	"us-gov-east-1": partitionGov,
	"us-gov-west-1": partitionGov,
}

// regionPartition returns the partition of a known region.
func regionPartition(region string) (string, bool) {
	p, ok := regionPartitions[region]
	return p, ok
}

// regionHint suggests the region a mistyped value probably meant: the same
// name in lower case, or the region of an availability zone ("us-east-1a").
func regionHint(s string) string {
	if lower := strings.ToLower(s); lower != s {
		if _, ok := regionPartitions[lower]; ok {
			return lower
		}
	}
	if az := strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyz"); az != s && az != "" {
		if _, ok := regionPartitions[az]; ok {
			return az
		}
	}
	return ""
}
