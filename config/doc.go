// Package config turns the CDK context of the ecr-replication app into a
// validated [Config].
//
// The context arrives as a map[string]any: values given with
// `cdk -c key=value` are strings, values from cdk.json may also be JSON
// numbers (float64), booleans or arrays of strings. [Parse] validates every
// documented key (see [Keys]) before anything is built and reports all
// problems at once in a [*ValidationError]; a key that looks like a typo of a
// documented one is refused with a "did you mean" hint, while CDK's own
// context keys are ignored.
//
// Destinations: destinationRegion, secondaryRegion and additionalRegions each
// name a region, or a region in its own account as region@account
// (us-west-2@222222222222); without @ a destination is in destinationAccount,
// else in the source account. A destination is a region in an account, as
// ECR counts its 25 unique destinations. Each region is listed once, in one
// account: the app deploys one replica stack per destination region, named
// by the region (ecr-replication-replica-<region>). [Config.Destinations]
// returns each destination's region and account.
//
// The fleet file: repositoriesFile names a YAML or JSON file in the project
// directory (see [Env.ProjectFiles]) listing the repositories with their
// profile and optional lifecycle overrides:
//
//	repositories:
//	  - name: api              # under repoPrefix, required
//	    profile: production    # production or testing, required
//	    imageCount: 20         # overrides productionImageCount
//	    tagPrefixes: [v, hotfix]
//	    untaggedExpiryDays: 3  # production only
//	  - name: sandbox
//	    profile: testing
//	    maxAgeDays: 14         # testing only
//
// Its repositories replace the defaults of productionRepositories and
// testingRepositories, which, when given, add theirs; no repository may be
// listed twice. A problem in the file is a [Problem] of repositoriesFile
// whose At [Location] names the file, the line and column and the key path
// (repositories[3].imageCount). Each repository's overrides reach
// [Config.RepositorySettings].
//
// Several teams: instead of repositories, the fleet file may list namespaces, each with its
// prefix, its repositories (the same entries) and optionally its own destinations,
// deleteReplication, deployRoleTrust and ciRoleTrust (the context's otherwise):
//
//	namespaces:
//	  - prefix: payments
//	    destinations: [us-west-2, eu-west-1]
//	    repositories:
//	      - {name: api, profile: production}   # payments/api
//	  - prefix: data
//	    destinations: [ap-southeast-2@222222222222]
//	    repositories:
//	      - {name: etl, profile: testing}
//
// The registry's one replication configuration then holds one rule per namespace: at most
// 10 namespaces, none under another, at most 25 destinations over all of them, and each
// region in one account. [Config.Namespaces] returns the namespaces of either form (the
// one-namespace form gives one, from repoPrefix); [Config.ManyNamespaces] tells the forms
// apart. The context keys of the one-namespace form (repoPrefix, productionRepositories,
// testingRepositories) are refused next to namespaces, and repository keys
// (activityAlarmRepositories, storageRepositoryMetrics) take full names.
//
// Who may assume the deploy and CI roles (deployRoleTrust, ciRoleTrust) is a list of
// [TrustPrincipal]: accounts, IAM role or user ARNs, or OIDC web identities of a provider
// of the source account.
//
// The defaults are those of the recipe this project started from
// (us-east-1 → us-west-2 and eu-west-1, prefix enterprise-apps, repositories
// production and testing, keep 10 prod/release and 5 test/dev/staging images,
// expire untagged images after 1 day and testing images after 7 days); see
// [Default].
//
// The package is pure Go: it imports neither jsii nor the CDK, so it can be
// tested and reused without a Node.js runtime.
package config
