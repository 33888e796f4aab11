// Renders an AWS::ECR::ReplicationConfiguration with aws-cdk-lib 2.278.0's typed L1, whose
// ReplicationRuleProperty has deleteReplication (aws-cdk-go v2.276 lacks it), and prints the
// resource's Properties as JSON. Input (argv[2]): the rules, in the typed L1's camelCase shape.
// Used by TestDeleteReplicationAsAwsCdkLib278.
const { App, Stack } = require('aws-cdk-lib');
const ecr = require('aws-cdk-lib/aws-ecr');
const version = require('aws-cdk-lib/package.json').version;
if (version !== '2.278.0') {
  console.error(`aws-cdk-lib ${version} is installed; this comparison needs 2.278.0 (run make deps)`);
  process.exit(2);
}
const app = new App();
const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'us-east-1' } });
new ecr.CfnReplicationConfiguration(stack, 'R', { replicationConfiguration: { rules: JSON.parse(process.argv[2]) } });
const tmpl = app.synth().getStackByName('S').template;
process.stdout.write(JSON.stringify(tmpl.Resources.R.Properties));
