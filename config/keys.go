package config

import "slices"

// Key documents one context key.
type Key struct {
	// Name is the context key, e.g. "sourceRegion".
	Name string
	// Default is the default in string form. A default that is a literal
	// value is written as it would be passed with -c (e.g. "prod,release");
	// one in parentheses is not a literal: "(none)", "(CDK_DEFAULT_ACCOUNT)",
	// "(sourceAccount)".
	Default string
	// Description says what the key does and what values it accepts.
	Description string
}

// Context keys. The names are the app's interface: keep them exactly.
const (
	keySourceRegion                = "sourceRegion"
	keyDestinationRegion           = "destinationRegion"
	keySecondaryRegion             = "secondaryRegion"
	keyAdditionalRegions           = "additionalRegions"
	keyRepoPrefix                  = "repoPrefix"
	keyProductionRepositories      = "productionRepositories"
	keyTestingRepositories         = "testingRepositories"
	keyRepositoriesFile            = "repositoriesFile"
	keyDeleteReplication           = "deleteReplication"
	keyProductionImageCount        = "productionImageCount"
	keyProductionTagPrefixes       = "productionTagPrefixes"
	keyUntaggedExpiryDays          = "untaggedExpiryDays"
	keyTestingImageCount           = "testingImageCount"
	keyTestingTagPrefixes          = "testingTagPrefixes"
	keyTestingMaxAgeDays           = "testingMaxAgeDays"
	keySourceAccount               = "sourceAccount"
	keyDestinationAccount          = "destinationAccount"
	keyPullAccounts                = "pullAccounts"
	keyOrganizationID              = "organizationId"
	keyDeployRoleTrust             = "deployRoleTrust"
	keyCIRoleTrust                 = "ciRoleTrust"
	keyEncryption                  = "encryption"
	keySigning                     = "signing"
	keySigningProfileArn           = "signingProfileArn"
	keyAlertEmail                  = "alertEmail"
	keyReplicationFailureThreshold = "replicationFailureThreshold"
	keyReplicationMinimumAttempts  = "replicationMinimumAttempts"
	keyReplicationWindowMinutes    = "replicationWindowMinutes"
	keyActivityAlarms              = "activityAlarms"
	keyAnomalyStdDevs              = "anomalyStdDevs"
	keyActivityAlarmRepositories   = "activityAlarmRepositories"
	keyEnhancedScanning            = "enhancedScanning"
	keyStorageMetrics              = "storageMetrics"
	keyStorageScheduleMinutes      = "storageScheduleMinutes"
	keyStorageRepositoryMetrics    = "storageRepositoryMetrics"
	keyStorageGrowthAlarmGiB       = "storageGrowthAlarmGiB"
	keyReplicationLatency          = "replicationLatency"
	keyLatencyAlarmMinutes         = "replicationLatencyAlarmMinutes"
	keyLifecycleTrail              = "lifecycleTrail"
	keyControlTower                = "controlTower"
	keyRepositoryStacks            = "repositoryStacks"
	keyDeleteOnDestroy             = "deleteOnDestroy"
	keyDeleteProductionOnDestroy   = "deleteProductionOnDestroy"
	keyRegistrySettingsOnDestroy   = "registrySettingsOnDestroy"
)

// Non-literal defaults.
const (
	defaultNone          = "(none)"
	defaultCDKAccount    = "(CDK_DEFAULT_ACCOUNT)"
	defaultSourceAccount = "(sourceAccount)"
)

// Limits shared by the parser and the descriptions.
const (
	maxDestinations   = 25  // ECR: unique destinations (region and account) across all rules
	maxTagPrefixes    = 49  // 50 lifecycle rules minus the untagged rule
	maxTagPrefixLen   = 128 // Docker tag length
	minRepoPrefixLen  = 2
	maxRepoPrefixLen  = 200
	maxRepoNameLen    = 256 // ECR repository name, prefix included
	maxImageCount     = 10000
	maxDays           = 3650
	maxMinimumAttempt = 100000
	minWindowMinutes  = 5
	maxWindowMinutes  = 1440
	// maxStorageRepositoryMetrics bounds the repositories with a storage metric of their own
	// (a custom metric per repository and region, about $0.30 a month each).
	maxStorageRepositoryMetrics = 10
	// maxActivityRepositories bounds the repositories watched one by one (two anomaly
	// alarms and a dashboard widget each); monitoring.MaxActivityRepositories is the same.
	maxActivityRepositories = 25
	// maxNamespaces: ECR allows 10 rules per replication configuration, one per namespace.
	maxNamespaces = 10
	// maxTrustEntries bounds deployRoleTrust and ciRoleTrust (and the namespaces' lists).
	maxTrustEntries = 20
)

var keyTable = []Key{
	{keySourceRegion, "us-east-1",
		"Region of the source repositories and of the replication configuration: a known AWS region."},
	{keyDestinationRegion, "us-west-2",
		"First replication destination: a known region in the partition of sourceRegion, optionally in its own account as region@account (12 digits, such as us-west-2@222222222222); without @ a destination is in destinationAccount. Not sourceRegion in the source account."},
	{keySecondaryRegion, "eu-west-1",
		"Second replication destination, same rules as destinationRegion (region or region@account); none disables it."},
	{keyAdditionalRegions, defaultNone,
		"Comma-separated further destinations, each a region or region@account, same rules. All destinations together: no duplicates, each region once (one replica stack per region), at most 25 (ECR quota on unique region and account pairs)."},
	{keyRepoPrefix, "enterprise-apps",
		"Namespace of the repositories (the one-namespace form): 2–200 characters, /-separated components of lower-case letters and digits joined by single . _ or -. Not with a fleet file of namespaces, where each namespace names its prefix."},
	{keyProductionRepositories, "production",
		"Comma-separated production repository names under repoPrefix (same grammar, full name at most 256 characters); none for no production repositories. With repositoriesFile it defaults to none and adds to the file."},
	{keyTestingRepositories, "testing",
		"Comma-separated testing repository names under repoPrefix, none for no testing repositories; no name in both lists, at least one repository overall. With repositoriesFile it defaults to none and adds to the file."},
	{keyRepositoriesFile, defaultNone,
		"Fleet file, relative to the project directory and inside it: .yaml, .yml or .json with repositories: a list of {name, profile: production|testing} and optional imageCount, tagPrefixes, untaggedExpiryDays (production) or maxAgeDays (testing) overriding the profile. Its repositories replace the defaults; no repository twice across the file and the lists. Or, for several teams, namespaces: a list of at most 10 {prefix, repositories} with optional destinations, deleteReplication, deployRoleTrust and ciRoleTrust (default: the context's), not together with repoPrefix, productionRepositories or testingRepositories."},
	{keyDeleteReplication, "false",
		"Mirror deletes to the replicas: ECR then also removes from every destination of the replication rule the tags removed, the images deleted and the images expired by lifecycle in the source: true or false. Off by default: a mistaken delete or a lifecycle expiry in the source would empty the replicas too. A namespace of the fleet file may set its own."},
	{keyProductionImageCount, "10",
		"Images kept per production tag prefix: integer 1–10000."},
	{keyProductionTagPrefixes, "prod,release",
		"Comma-separated tag prefixes kept in production repositories: 1–128 characters of A-Z a-z 0-9 _ . - (not starting with . or -), none a prefix of another, at most 49."},
	{keyUntaggedExpiryDays, "1",
		"Age in days at which untagged images expire: integer 1–3650."},
	{keyTestingImageCount, "5",
		"Images kept per testing tag prefix: integer 1–10000."},
	{keyTestingTagPrefixes, "test,dev,staging",
		"Comma-separated tag prefixes kept in testing repositories, same rules as productionTagPrefixes."},
	{keyTestingMaxAgeDays, "7",
		"Age in days at which testing images expire: integer 1–3650."},
	{keySourceAccount, defaultCDKAccount,
		"Source account (12 digits); must be known when a destination is in another account (destinationAccount or region@account)."},
	{keyDestinationAccount, defaultSourceAccount,
		"Account of the destinations given without @account (12 digits); another account than sourceAccount turns on cross-account replication."},
	{keyPullAccounts, defaultNone,
		"Comma-separated 12-digit accounts granted pull access, no duplicates."},
	{keyOrganizationID, defaultNone,
		"AWS Organizations ID (o- followed by 10–32 lower-case letters or digits) whose principals are granted pull access."},
	{keyDeployRoleTrust, defaultSourceAccount,
		"Comma-separated principals that may assume the deploy (pull) role, at most 20, no duplicates: a 12-digit account ID (its root: that account's IAM policies decide), an IAM role or user ARN (arn:<partition>:iam::<account>:role/<path/name> or :user/<path/name>), or oidc:<provider host>:<subject pattern> (a web identity of that OIDC provider of the source account, audience sts.amazonaws.com; needs sourceAccount at synth). An entry with a comma goes in a cdk.json array. A namespace of the fleet file may set its own."},
	{keyCIRoleTrust, defaultSourceAccount,
		"Comma-separated principals that may assume the CI (push) role, same rules as deployRoleTrust, e.g. oidc:token.actions.githubusercontent.com:repo:acme/payments:ref:refs/heads/main. A namespace of the fleet file may set its own."},
	{keyRepositoryStacks, "1",
		"Stacks holding each region's repositories: 1 keeps them in the region's stack; 2 to 20 puts them in that many stacks of their own (<stack>-repositories-<k>), each repository by a hash of its name, so adding or removing repositories moves no other one; changing the number moves most repositories (each then needs cdk import)."},
	{keyEncryption, "AES256",
		"Repository encryption: AES256 or KMS."},
	{keySigning, "false",
		"Sign every image pushed to the source with ECR managed signing, with a signing profile (Notation OCI) the app creates: true or false; not together with signingProfileArn."},
	{keySigningProfileArn, defaultNone,
		"Sign every image pushed to the source with ECR managed signing, with this existing AWS Signer signing profile: arn:<partition>:signer:<sourceRegion>:<account>:/signing-profiles/<name> (name: 2–64 letters, digits or _), in sourceRegion, possibly of another account; not together with signing=true."},
	{keyAlertEmail, defaultNone,
		"One plain e-mail address that receives the alarms."},
	{keyReplicationFailureThreshold, "10",
		"Replication failure rate, in percent, above which the alarm fires: a number greater than 0 and below 100."},
	{keyReplicationMinimumAttempts, "5",
		"Replications that must be attempted in the window before the failure-rate alarm can fire: integer 1–100000."},
	{keyReplicationWindowMinutes, "60",
		"Evaluation window of the replication alarms in minutes: a multiple of 5 from 5 to 1440."},
	{keyActivityAlarms, "true",
		"Create the repository activity alarms: true or false."},
	{keyActivityAlarmRepositories, "(all, up to 10)",
		"Comma-separated repository names watched one by one: a push rule, a pull and a push anomaly alarm and a dashboard widget each; the others are counted together by one rule for the namespace, with one alarm. At most 25; none for no repository; by default every repository when there are at most 10, else none. With a fleet file of namespaces, full names such as payments/api."},
	{keyAnomalyStdDevs, "3",
		"Width of the anomaly-detection band in standard deviations: a number from 1 to 10."},
	{keyEnhancedScanning, "false",
		"Use enhanced (Amazon Inspector) registry scanning instead of basic scanning: true or false."},
	{keyStorageMetrics, "true",
		"Measure the logical bytes stored under repoPrefix in every region (a Step Functions Express state machine on a schedule, no Lambda) and alarm on daily growth: true or false."},
	{keyStorageScheduleMinutes, "60",
		"How often the storage is measured, in minutes: an integer from 5 to 1440."},
	{keyStorageRepositoryMetrics, defaultNone,
		"Comma-separated repository names under repoPrefix (of productionRepositories, testingRepositories or repositoriesFile) that also get a storage metric of their own in every region: at most 10 (each costs about $0.30 a month per region). With a fleet file of namespaces, full names such as payments/api."},
	{keyStorageGrowthAlarmGiB, "10",
		"Daily growth of the logical bytes under repoPrefix, in GiB per region, above which the storage-growth alarm fires: a number greater than 0 and at most 1000000."},
	{keyReplicationLatency, "true",
		"Measure replication latency (push in the source to arrival in each destination) from forwarded replication events, natively: true or false."},
	{keyLatencyAlarmMinutes, "30",
		"p90 replication latency over one hour, in minutes, above which a destination's latency alarm fires: an integer from 1 to 1440."},
	{keyLifecycleTrail, "false",
		"Create a CloudTrail trail of management events (multi-region, with an encrypted, retained S3 bucket) in the source account, and in the destination account when it is another, so that lifecycle expiration notices arrive: true or false."},
	{keyDeleteOnDestroy, "false",
		"For sandboxes: cdk destroy deletes the repositories with their images in every region and the event logs, and schedules the deletion of the KMS keys: true or false. Refused while a production repository exists unless deleteProductionOnDestroy=true."},
	{keyDeleteProductionOnDestroy, "false",
		"Confirms deleteOnDestroy when production repositories exist (cdk destroy then deletes them with their images too): true or false; only with deleteOnDestroy=true."},
	{keyRegistrySettingsOnDestroy, "delete",
		"What cdk destroy does to the registry-wide singletons (replication configuration, destination registry policies, registry scanning configuration): delete empties the replication rules, deletes the registry policies and resets scanning; retain leaves them in place (DeletionPolicy Retain)."},
	{keyControlTower, "false",
		"Make every template pass the AWS Control Tower proactive controls that the default deployment fails and cannot pass at no cost or without a change of behaviour (README, AWS Control Tower proactive controls): true or false."},
}

// keyIndex maps a key name to its position in keyTable.
var keyIndex = func() map[string]int {
	m := make(map[string]int, len(keyTable))
	for i, k := range keyTable {
		m[k.Name] = i
	}
	return m
}()

// Keys returns the documented context keys in table order.
func Keys() []Key {
	return slices.Clone(keyTable)
}

// isKey reports whether name is a documented context key.
func isKey(name string) bool {
	_, ok := keyIndex[name]
	return ok
}
