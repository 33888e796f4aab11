package rehearse

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// The rehearsal's SDK configuration repeats a request whose connection was lost (moto may
// close a keep-alive connection under a request) and never one that moto answered, such as
// its HTTP 500 for an API it lacks.
func TestAWSConfigRetriesLostConnectionsOnly(t *testing.T) {
	var calls atomic.Int32
	lost := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close() // the connection goes, with no answer
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write([]byte(`{"registryId":"123456789012","replicationConfiguration":{"rules":[]}}`))
	}))
	defer lost.Close()
	out, err := ecr.NewFromConfig(AWSConfig(lost.URL, "us-east-1")).DescribeRegistry(context.Background(), &ecr.DescribeRegistryInput{})
	if err != nil || out.RegistryId == nil || *out.RegistryId != "123456789012" {
		t.Fatalf("after a lost connection: %v, %+v; want the second attempt's answer", err, out)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("%d requests after a lost connection; want 2", got)
	}

	var answered atomic.Int32
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answered.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"__type":"InternalFailure","message":"not yet implemented"}`))
	}))
	defer failing.Close()
	if _, err := ecr.NewFromConfig(AWSConfig(failing.URL, "us-east-1")).DescribeRegistry(context.Background(), &ecr.DescribeRegistryInput{}); err == nil {
		t.Error("HTTP 500: no error")
	}
	if got := answered.Load(); got != 1 {
		t.Errorf("%d requests for an HTTP 500; want 1 (an answer is never repeated)", got)
	}
}
