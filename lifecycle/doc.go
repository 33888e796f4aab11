// Package lifecycle is a typed, validated and explainable model of Amazon ECR
// lifecycle policies.
//
// It is plain Go (no jsii, no CDK) so that the policy a stack deploys and the
// policy a reviewer previews are built by the same code:
//
//   - [Policy], [Rule], [Selection] and [Action] mirror ECR's lifecycle policy
//     JSON field for field.
//   - [Policy.Validate] reports every constraint ECR enforces, all at once,
//     each message naming the rule and the field.
//   - [Policy.JSON] renders the deterministic, compact JSON that ECR (and the
//     LifecyclePolicyText property of AWS::ECR::Repository) expects, and
//     [Parse] reads it back strictly.
//   - [Policy.Evaluate] runs ECR's documented evaluation algorithm over a set
//     of images and explains, image by image, which rule acts on it and why,
//     or why it is kept.
//   - [ProductionProfile] and [TestingProfile] build the product's two
//     policies.
//
// # Entries in one tag list are ANDed
//
// ECR reads several entries of one tagPrefixList (or tagPatternList) as AND: a
// rule with tagPrefixList ["prod", "release"] selects only images that carry a
// prod* tag and also a release* tag. An image tagged only prod-1.4 or only
// release-7 is not selected, so such a rule neither keeps nor expires it. The
// profiles here therefore write one rule per prefix, which is how ECR
// expresses "prod OR release"; the worked examples from the ECR user guide are
// in lifecycle_examples_test.go.
//
// # Evaluation
//
// [Policy.Evaluate] follows the algorithm in the ECR user guide:
//
//   - Rules are considered in priority order, lowest rulePriority first, and an
//     image is acted on (expired or transitioned) by at most one rule.
//   - A rule selects the images of its storage class (default standard) that
//     match its tag criteria: every entry of tagPrefixList must be a prefix of
//     at least one of the image's tags; every entry of tagPatternList must
//     match at least one tag, with * matching any run of characters over the
//     whole tag; untagged selects images without tags; any selects all.
//   - An image selected by a higher-priority rule is claimed by it: lower
//     rules still count it (imageCountMoreThan ranks all the images it
//     selects, newest push first) but never act on it. So each image's fate is
//     decided by the first rule that selects it.
//   - imageCountMoreThan N keeps the N most recently pushed images it selects
//     and acts on the rest; sinceImagePushed, sinceImagePulled (last recorded
//     pull, else push) and sinceImageTransitioned act on images whose
//     reference time is more than N days before the evaluation time.
//   - Lifecycle policies cannot expire an image archived less than 90 days
//     ago; such an image is reported as kept.
//
// Consequences worth knowing: an image carrying tags of two prefixes that
// have separate rules is decided by the higher-priority rule alone, and in
// the testing profile the newest images of each testing prefix are kept even
// when they are older than the age limit of the final "any" rule.
//
// Not modelled: ECR acts up to 24 hours after an image qualifies; images
// referenced by a manifest list cannot be expired until the list is; image
// sizes from describe-images count layers shared between images once per
// image, so deleting an image frees at most its size.
package lifecycle
