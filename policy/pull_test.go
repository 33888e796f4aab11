package policy_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/acme-platform/ecr-replication/policy"
)

func TestPullAccessRendering(t *testing.T) {
	tests := []struct {
		name   string
		access policy.PullAccess
		want   string
	}{
		{"nothing renders no policy", policy.PullAccess{}, ""},
		{"one account", policy.PullAccess{Accounts: []string{"111111111111"}},
			`{"Statement":[{"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Sid":"PullFromAccounts"}],"Version":"2012-10-17"}`},
		{"organization is an open principal narrowed by aws:PrincipalOrgID", policy.PullAccess{Partition: "aws-cn", OrganizationID: "o-abcdefghij"},
			`{"Statement":[{"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}},"Effect":"Allow","Principal":{"AWS":"*"},"Sid":"PullFromOrganization"}],"Version":"2012-10-17"}`},
		{"roles become their account root narrowed by aws:PrincipalArn", policy.PullAccess{Partition: "aws-cn", Roles: []policy.RoleRef{{Account: "222222222222", Name: "deploy"}, {Account: "222222222222", Name: "ci"}}},
			`{"Statement":[{"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Condition":{"ArnEquals":{"aws:PrincipalArn":["arn:aws-cn:iam::222222222222:role/deploy","arn:aws-cn:iam::222222222222:role/ci"]}},"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::222222222222:root"},"Sid":"PullFromRoles"}],"Version":"2012-10-17"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.access.JSON(); got != tt.want {
				t.Errorf("JSON() =\n%s\nwant\n%s", got, tt.want)
			}
			if tt.access.IsEmpty() != (tt.want == "") {
				t.Errorf("IsEmpty() = %v", tt.access.IsEmpty())
			}
		})
	}
}

func TestReplicationRegistryPolicy(t *testing.T) {
	doc := policy.ReplicationRegistryPolicy("aws-cn", []string{"111111111111", "222222222222"},
		policy.NamespaceArn("cn-north-1", "333333333333", "team"))
	b, _ := json.Marshal(doc)
	want := `{"Statement":[{"Action":["ecr:CreateRepository","ecr:ReplicateImage"],"Effect":"Allow","Principal":{"AWS":["arn:aws-cn:iam::111111111111:root","arn:aws-cn:iam::222222222222:root"]},"Resource":"arn:aws-cn:ecr:cn-north-1:333333333333:repository/team/*","Sid":"ReplicateFromSourceAccounts"}],"Version":"2012-10-17"}`
	if string(b) != want {
		t.Errorf("policy =\n%s\nwant\n%s", b, want)
	}
}

func TestRoleName(t *testing.T) {
	if got, want := policy.RoleName("enterprise-apps", "us-east-1", "pull"), "enterprise-apps-us-east-1-ecr-pull"; got != want {
		t.Errorf("RoleName = %q; want %q", got, want)
	}
	long := policy.RoleName("a-very-long-namespace/with/several/parts_and.dots-that-goes-on", "ap-southeast-2", "push")
	if len(long) > 64 {
		t.Errorf("RoleName %q has %d characters; IAM allows 64", long, len(long))
	}
	if other := policy.RoleName("a-very-long-namespace/with/several/parts_and.dots-that-goes-on-too", "ap-southeast-2", "push"); other == long {
		t.Errorf("two long namespaces share the role name %q", long)
	}
	if want := "-ap-southeast-2-ecr-push-"; !containsAt(long, want) {
		t.Errorf("RoleName %q lost its suffix %q", long, want)
	}
}

func containsAt(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestPullPushActions(t *testing.T) {
	want := []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
		"ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"}
	if got := policy.PullPushActions(); !reflect.DeepEqual(got, want) {
		t.Errorf("PullPushActions() = %q; want %q", got, want)
	}
}
