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
// The defaults are those of the recipe this project started from
// (us-east-1 → us-west-2 and eu-west-1, prefix enterprise-apps, repositories
// production and testing, keep 10 prod/release and 5 test/dev/staging images,
// expire untagged images after 1 day and testing images after 7 days); see
// [Default].
//
// The package is pure Go: it imports neither jsii nor the CDK, so it can be
// tested and reused without a Node.js runtime.
package config
