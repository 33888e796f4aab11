package monitoring_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/acme-platform/ecr-replication/internal/eventpattern"
	"github.com/acme-platform/ecr-replication/internal/mototest"
)

// Cross-check of every synthesized event pattern against a real EventBridge
// implementation: moto, a local AWS API emulator, started here on 127.0.0.1.
//
// moto 5.2.1 answers AWSEvents.TestEventPattern with an empty 200 response (the operation
// is a stub), so the test asks it first and, when no Result comes back, logs that and
// uses moto's rule engine instead: PutRule with the synthesized pattern, an SQS target
// carrying the same input transformer as the SNS target, PutEvents with each sample and
// ReceiveMessage to see which rules fired. moto's matcher supports every operator the
// synthesized patterns use (exact, prefix, numeric, wildcard, $or); it flattens nested
// objects but not arrays of objects, which no synthesized pattern reaches into.

// motoServer is the test's moto_server with the client its calls go through.
type motoServer struct {
	*mototest.Server
	client *http.Client
}

func startMoto(t *testing.T) *motoServer {
	t.Helper()
	return &motoServer{Server: mototest.Start(t), client: &http.Client{Timeout: 30 * time.Second}}
}

// call posts one JSON-protocol request; service is "events" (JSON 1.1) or "sqs" (JSON 1.0).
func (m *motoServer) call(t *testing.T, service, target string, body interface{}) (int, map[string]interface{}, string) {
	t.Helper()
	payload, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, m.Endpoint+"/", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	contentType, prefix := "application/x-amz-json-1.1", "AWSEvents."
	if service == "sqs" {
		contentType, prefix = "application/x-amz-json-1.0", "AmazonSQS."
	}
	req.Header.Set("X-Amz-Target", prefix+target)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", fmt.Sprintf(
		"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/%s/aws4_request, SignedHeaders=host, Signature=x", service))
	resp, err := m.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", service, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]interface{}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, string(raw)
}

func (m *motoServer) mustCall(t *testing.T, service, target string, body interface{}) map[string]interface{} {
	t.Helper()
	status, out, raw := m.call(t, service, target, body)
	if status != http.StatusOK {
		log := m.Output()
		if len(log) > 3000 {
			log = log[len(log)-3000:]
		}
		t.Fatalf("%s %s: HTTP %d: %s\nmoto log:\n%s", service, target, status, raw, log)
	}
	return out
}

// motoRule is a synthesized rule loaded into moto.
type motoRule struct {
	rule     synthesizedRule
	queueURL string
}

func TestEventPatternsAgainstMoto(t *testing.T) {
	samples := loadSamples(t)
	moto := startMoto(t)

	// TestEventPattern first: report what moto answers.
	status, out, raw := moto.call(t, "events", "TestEventPattern", map[string]interface{}{
		"EventPattern": `{"source":["aws.ecr"]}`,
		"Event":        string(samples[0].Raw),
	})
	if _, ok := out["Result"]; status != http.StatusOK || !ok {
		t.Logf("moto does not implement TestEventPattern (HTTP %d, body %q); cross-checking through PutRule/PutEvents instead", status, raw)
	}
	testEventPatternWorks := status == http.StatusOK && out["Result"] != nil

	for fixtureName, stacks := range expectedMatches {
		f := getFixture(t, fixtureName)
		for _, s := range f.stacks {
			moto.mustCall(t, "events", "ListRules", map[string]interface{}{}) // fails fast if moto went away
			var loaded []motoRule
			for i, r := range rulesOf(t, s) {
				pattern, _ := json.Marshal(r.pattern)
				ruleName := fmt.Sprintf("%s-%s-%d", fixtureName, strings.ReplaceAll(s.name, "-", ""), i)
				queue := moto.mustCall(t, "sqs", "CreateQueue", map[string]interface{}{"QueueName": ruleName})
				moto.mustCall(t, "events", "PutRule", map[string]interface{}{
					"Name": ruleName, "EventPattern": string(pattern), "State": "ENABLED",
				})
				target := map[string]interface{}{"Id": "probe", "Arn": "arn:aws:sqs:us-east-1:123456789012:" + ruleName}
				if tr := topicTransformer(r); tr != nil {
					target["InputTransformer"] = tr
				}
				moto.mustCall(t, "events", "PutTargets", map[string]interface{}{
					"Rule": ruleName, "Targets": []interface{}{target},
				})
				loaded = append(loaded, motoRule{rule: r, queueURL: queue["QueueUrl"].(string)})
			}

			got := map[string][]string{}
			bodies := map[string]map[string]string{}
			for _, smp := range samples {
				detail, _ := json.Marshal(smp.Event["detail"])
				entry := map[string]interface{}{
					"Source":     smp.Event["source"],
					"DetailType": smp.Event["detail-type"],
					"Detail":     string(detail),
				}
				if res, ok := smp.Event["resources"].([]interface{}); ok && len(res) > 0 {
					entry["Resources"] = res
				}
				put := moto.mustCall(t, "events", "PutEvents", map[string]interface{}{"Entries": []interface{}{entry}})
				if n, _ := put["FailedEntryCount"].(float64); n != 0 {
					t.Fatalf("PutEvents(%s) failed: %v", smp.Name, put)
				}
				for _, lr := range loaded {
					msgs := moto.mustCall(t, "sqs", "ReceiveMessage", map[string]interface{}{
						"QueueUrl": lr.queueURL, "MaxNumberOfMessages": 10,
					})
					list, _ := msgs["Messages"].([]interface{})
					if len(list) == 0 {
						continue
					}
					got[lr.rule.name] = append(got[lr.rule.name], smp.Name)
					if bodies[lr.rule.name] == nil {
						bodies[lr.rule.name] = map[string]string{}
					}
					for _, m := range list {
						msg := m.(map[string]interface{})
						bodies[lr.rule.name][smp.Name] = msg["Body"].(string)
						moto.mustCall(t, "sqs", "DeleteMessage", map[string]interface{}{
							"QueueUrl": lr.queueURL, "ReceiptHandle": msg["ReceiptHandle"],
						})
					}
				}
				if testEventPatternWorks {
					for _, lr := range loaded {
						pattern, _ := json.Marshal(lr.rule.pattern)
						_, out, _ := moto.call(t, "events", "TestEventPattern", map[string]interface{}{
							"EventPattern": string(pattern), "Event": string(smp.Raw),
						})
						want, _ := eventpattern.Match(lr.rule.pattern, smp.Event)
						if out["Result"] != want {
							t.Errorf("%s/%s %s: moto TestEventPattern = %v, Go matcher = %v", fixtureName, s.name, lr.rule.name, out["Result"], want)
						}
					}
				}
			}

			for _, lr := range loaded {
				want := append([]string{}, stacks[s.name][lr.rule.name]...)
				sort.Strings(want)
				have := got[lr.rule.name]
				if have == nil {
					have = []string{}
				}
				if strings.Join(have, ",") != strings.Join(want, ",") {
					t.Errorf("%s/%s %s: moto matched %v; want %v", fixtureName, s.name, lr.rule.name, have, want)
				}
			}

			// The readable messages, rendered by moto's input transformer from the synthesized
			// InputPathsMap and InputTemplate.
			for _, m := range renderedMessages {
				if _, ok := stacks[s.name][m.rule]; !ok {
					continue
				}
				body, ok := bodies[m.rule][m.sample]
				if !ok {
					t.Errorf("%s/%s %s: no message for %s", fixtureName, s.name, m.rule, m.sample)
					continue
				}
				for _, want := range m.contains {
					if !strings.Contains(body, want) {
						t.Errorf("%s/%s %s message %s lacks %q", fixtureName, s.name, m.rule, body, want)
					}
				}
			}
			moto.mustCall(t, "events", "ListRules", map[string]interface{}{})
			resetMoto(t, moto)
		}
	}
}

var renderedMessages = []struct {
	rule, sample string
	contains     []string
}{
	{"ecr-enterprise-apps-replication-failed-from-us-east-1", "replication-failed",
		[]string{"ECR replication FAILED", "enterprise-apps/production:prod-42", "sha256:3f3f", "from us-east-1", "(account 111111111111)"}},
	{"ecr-enterprise-apps-scan-findings", "image-scan-critical",
		[]string{"enterprise-apps/production", "CRITICAL 2", "HIGH 5"}},
	{"ecr-enterprise-apps-inspector-scan-findings", "inspector2-scan-critical",
		[]string{"repository/enterprise-apps/production", "CRITICAL 7", "HIGH 61", "TOTAL 158", "INITIAL_SCAN_COMPLETE"}},
	{"ecr-enterprise-apps-lifecycle-expirations", "lifecycle-expiry",
		[]string{"expired images in enterprise-apps/testing"}},
}

// topicTransformer returns the InputTransformer of the rule's SNS target, if any, with its
// quoted-text template wrapped as {"message": <template>}. moto 5.2.1 checks `"time" in
// event` on the rendered input before sending it to SQS, which breaks (TypeError, HTTP 500)
// when the input is a plain string containing "time"; an object avoids that and still
// renders the same paths and text.
func topicTransformer(r synthesizedRule) map[string]interface{} {
	targets, _ := r.props["Targets"].([]interface{})
	for _, tg := range targets {
		target, _ := tg.(map[string]interface{})
		if target["Id"] == "Topic" {
			tr, _ := target["InputTransformer"].(map[string]interface{})
			template, _ := tr["InputTemplate"].(string)
			return map[string]interface{}{
				"InputPathsMap": tr["InputPathsMap"],
				"InputTemplate": `{"message": ` + template + `}`,
			}
		}
	}
	return nil
}

func resetMoto(t *testing.T, m *motoServer) {
	t.Helper()
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
}
