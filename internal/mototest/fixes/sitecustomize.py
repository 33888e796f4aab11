# Fixes to moto's CloudFormation, applied by internal/mototest when a server is launched with
# Options.CloudFormationFixes (Go: mototest.CloudFormationFixes lists them with their reasons).
# Python imports this file at start-up because mototest puts its directory first on PYTHONPATH.
# Each fix changes only what moto's CloudFormation does with a template; no AWS API of moto
# behaves differently. The last line printed says which fixes were applied, or why not.
import json
import sys


def _kms_key_from_template():
    # AWS::KMS::Key: the template's Tags are [{Key, Value}] and its KeyPolicy a JSON object
    # (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html);
    # moto's Key.create_from_cloudformation_json hands both unchanged to its KMS backend, which
    # expects the KMS API's [{TagKey, TagValue}] and policy text: the key is created, tagging it
    # raises KeyError 'TagKey' (the stack stops half-created), and every later DescribeKey fails
    # on the policy that is not text.
    from moto.kms import models

    create = models.Key.create_from_cloudformation_json.__func__

    def fixed(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.setdefault("Properties", {})
        if isinstance(props.get("KeyPolicy"), dict):
            props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
        tags = props.get("Tags") or []
        props["Tags"] = [{"TagKey": t["Key"], "TagValue": t.get("Value", "")} if "Key" in t else t for t in tags]
        return create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    models.Key.create_from_cloudformation_json = classmethod(fixed)


def _getatt_of_unsupported_type():
    # moto skips a resource whose type it has no CloudFormation model for (with a warning), but
    # an Fn::GetAtt of such a resource then fails the whole stack ("Template error: instance of
    # Fn::GetAtt references undefined resource"), e.g. a dashboard's alarm widget reading an
    # AWS::CloudWatch::Alarm's Arn. The fix resolves it to "moto-unrealized:<LogicalId>.<Attr>",
    # so that the stack deploys and the skipped resource is still missing from the stack's
    # resources, where the rehearsal names it.
    from moto.cloudformation import parsing

    clean = parsing.clean_json

    def fixed(resource_json, resources_map):
        if isinstance(resource_json, dict) and "Fn::GetAtt" in resource_json:
            name, attr = resource_json["Fn::GetAtt"][0], resource_json["Fn::GetAtt"][1]
            declared = resources_map._resource_json_map.get(name)
            if declared is not None and parsing.resource_class_from_type(declared["Type"]) is None:
                return "moto-unrealized:%s.%s" % (name, attr)
        return clean(resource_json, resources_map)

    parsing.clean_json = fixed


try:
    _kms_key_from_template()
    _getatt_of_unsupported_type()
    print("mototest: CloudFormation fixes applied: kms-key-from-template, getatt-of-unsupported-type", file=sys.stderr, flush=True)
except Exception as e:  # an unexpected moto: say so, mototest refuses to start
    print("mototest: CloudFormation fixes FAILED: %r" % (e,), file=sys.stderr, flush=True)
