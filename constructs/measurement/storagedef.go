package measurement

import (
	"fmt"
	"strings"
)

// Paging and concurrency of the storage state machine.
const (
	// storageImagesPageSize keeps one DescribeImages page (about 0.6-1 KB per ImageDetail)
	// far below the 256 KiB Step Functions payload limit, which applies to the raw
	// service response too.
	storageImagesPageSize = 100
	// storageRepositoriesPageSize is the DescribeRepositories maximum; only names are kept.
	storageRepositoriesPageSize = 1000
	// storageMapConcurrency bounds parallel DescribeImages calls (ECR API rate quotas).
	storageMapConcurrency = 5
)

// storageIndexMediaTypes are the manifest lists / image indexes. DescribeImages reports for
// them the size of the largest manifest (ECR API ImageDetail.imageSizeInBytes), while the
// platform manifests they reference are listed as images of their own; counting both would
// count a multi-platform image twice, so the indexes are left out of the sum.
var storageIndexMediaTypes = []string{
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.oci.image.index.v1+json",
}

// storageDefinition renders the Amazon States Language definition (JSONata) of the storage
// state machine: list the repositories under prefix, measure each, publish. Results of AWS SDK
// integrations are PascalCase (Repositories, RepositoryName, ImageDetails, ImageSizeInBytes,
// NextToken). Only names and running sums pass between states (256 KiB payload limit); every
// task discards its raw response.
func storageDefinition(partition, prefix, namespace string, repositories []string) map[string]any {
	states := map[string]any{
		"Start": map[string]any{
			"Type":   "Pass",
			"Assign": map[string]any{"repositories": []any{}, "repositoryToken": nil},
			"Next":   "ListRepositories",
		},
		"MeasureRepositories": map[string]any{
			"Type":           "Map",
			"Items":          jsonata("$repositories"),
			"MaxConcurrency": storageMapConcurrency,
			"ItemProcessor":  measureRepositoryStates(partition),
			"Next":           "PublishMetrics",
		},
		"PublishMetrics": publishStorageState(partition, prefix, namespace, repositories),
	}
	for name, state := range listRepositoriesStates(partition, prefix) {
		states[name] = state
	}
	return map[string]any{
		"Comment":       "Sums imageSizeInBytes (logical bytes) of the ACTIVE images of the repositories under " + prefix + "/ and publishes it to CloudWatch",
		"QueryLanguage": "JSONata",
		"StartAt":       "Start",
		"States":        states,
	}
}

// nextToken is null unless the page at path has a NextToken to follow (the SDK integration
// may return it absent, null or empty on the last page).
func nextToken(path string) string {
	return fmt.Sprintf(`$type(%[1]s) = "string" and %[1]s != "" ? %[1]s : null`, path)
}

// listRepositoriesStates page ecr:DescribeRepositories and keep the names under prefix/ in
// $repositories.
func listRepositoriesStates(partition, prefix string) map[string]any {
	under := prefix + "/"
	inPrefix := fmt.Sprintf(`[$states.result.Repositories[$substring(RepositoryName, 0, %d) = %s].RepositoryName]`, len(under), quote(under))
	return map[string]any{
		"ListRepositories": map[string]any{
			"Type":     "Task",
			"Resource": sdkResource(partition, "ecr", "describeRepositories"),
			"Arguments": jsonata(fmt.Sprintf(`$type($repositoryToken) = "string" ? {"MaxResults": %[1]d, "NextToken": $repositoryToken} : {"MaxResults": %[1]d}`,
				storageRepositoriesPageSize)),
			"Assign": map[string]any{
				"repositories":    jsonata("$append($repositories, " + inPrefix + ")"),
				"repositoryToken": jsonata(nextToken("$states.result.NextToken")),
			},
			"Output": map[string]any{},
			"Retry":  sdkRetry(),
			"Next":   "MoreRepositories",
		},
		"MoreRepositories": map[string]any{
			"Type":    "Choice",
			"Choices": []any{map[string]any{"Condition": jsonata(`$type($repositoryToken) = "string"`), "Next": "ListRepositories"}},
			"Default": "MeasureRepositories",
		},
	}
}

// measureRepositoryStates is the Map's item processor: page ecr:DescribeImages of one
// repository and output {RepositoryName, Bytes}, the sum of ImageSizeInBytes without the image
// indexes.
func measureRepositoryStates(partition string) map[string]any {
	indexTypes := make([]string, len(storageIndexMediaTypes))
	for i, t := range storageIndexMediaTypes {
		indexTypes[i] = quote(t)
	}
	pageBytes := fmt.Sprintf(`$sum([$states.result.ImageDetails[$not(ImageManifestMediaType in [%s])].ImageSizeInBytes])`, strings.Join(indexTypes, ", "))
	return map[string]any{
		"ProcessorConfig": map[string]any{"Mode": "INLINE"},
		"StartAt":         "StartRepository",
		"States": map[string]any{
			"StartRepository": map[string]any{
				"Type":   "Pass",
				"Assign": map[string]any{"repository": jsonata("$states.input"), "imageBytes": 0, "imageToken": nil},
				"Next":   "DescribeImages",
			},
			"DescribeImages": map[string]any{
				"Type":     "Task",
				"Resource": sdkResource(partition, "ecr", "describeImages"),
				"Arguments": jsonata(fmt.Sprintf(`$type($imageToken) = "string" ? {"RepositoryName": $repository, "MaxResults": %[1]d, "NextToken": $imageToken} : {"RepositoryName": $repository, "MaxResults": %[1]d}`,
					storageImagesPageSize)),
				"Assign": map[string]any{
					"imageBytes": jsonata("$imageBytes + " + pageBytes),
					"imageToken": jsonata(nextToken("$states.result.NextToken")),
				},
				"Output": map[string]any{},
				"Retry":  sdkRetry("Ecr.RepositoryNotFoundException"),
				// A repository deleted since it was listed counts with what was summed.
				"Catch": []any{map[string]any{"ErrorEquals": []string{"Ecr.RepositoryNotFoundException"}, "Next": "RepositoryMeasured"}},
				"Next":  "MoreImages",
			},
			"MoreImages": map[string]any{
				"Type":    "Choice",
				"Choices": []any{map[string]any{"Condition": jsonata(`$type($imageToken) = "string"`), "Next": "DescribeImages"}},
				"Default": "RepositoryMeasured",
			},
			"RepositoryMeasured": map[string]any{
				"Type":   "Pass",
				"Output": map[string]any{"RepositoryName": jsonata("$repository"), "Bytes": jsonata("$imageBytes")},
				"End":    true,
			},
		},
	}
}

// publishStorageState publishes, in one PutMetricData call, the total under prefix and each of
// repositories (0 for one that was not found).
func publishStorageState(partition, prefix, namespace string, repositories []string) map[string]any {
	datum := func(dimension, value, sum string) string {
		return fmt.Sprintf(`{"MetricName": %s, "Dimensions": [{"Name": %s, "Value": %s}], "Unit": "Bytes", "Value": %s}`,
			quote(StorageMetricName), quote(dimension), quote(value), sum)
	}
	data := []string{datum("RepositoryPrefix", prefix, `$sum([$states.input.Bytes])`)}
	for _, r := range repositories {
		data = append(data, datum("RepositoryName", r, fmt.Sprintf(`$sum([$states.input[RepositoryName = %s].Bytes])`, quote(r))))
	}
	return map[string]any{
		"Type":     "Task",
		"Resource": sdkResource(partition, "cloudwatch", "putMetricData"),
		"Arguments": map[string]any{
			"Namespace":  namespace,
			"MetricData": jsonata("[" + strings.Join(data, ", ") + "]"),
		},
		"Output": jsonata(`{"Repositories": $count($states.input), "LogicalBytes": $sum([$states.input.Bytes])}`),
		"Retry":  sdkRetry(),
		"End":    true,
	}
}
