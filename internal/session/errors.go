package session

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// FatalError stops a run: AWS cannot be reached or the credentials are missing or refused.
// A command prints it and exits 2; no later call can be trusted.
type FatalError struct {
	// Message says what happened and what to do, in one or a few lines.
	Message string
	// Err is the underlying SDK error.
	Err error
}

func (e *FatalError) Error() string { return e.Message }

func (e *FatalError) Unwrap() error { return e.Err }

// Fatal classifies err: a *FatalError when no later call can succeed either (no route to the
// endpoint, no credentials, credentials refused), else nil.
func Fatal(err error, what string) *FatalError {
	if err == nil {
		return nil
	}
	var fe *FatalError
	if errors.As(err, &fe) {
		return fe
	}
	msg := err.Error()
	if strings.Contains(msg, "get credentials") || strings.Contains(msg, "failed to retrieve credentials") ||
		strings.Contains(msg, "failed to refresh cached credentials") {
		return &FatalError{Err: err, Message: fmt.Sprintf(
			"no AWS credentials found for the %s (the SDK's default chain: environment variables, shared config and credentials files, SSO, container and instance roles): configure them with aws configure or aws sso login, or pass --profile/--destination-profile", what)}
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		return &FatalError{Err: err, Message: fmt.Sprintf(
			"AWS is not reachable (%s): %s\ncheck the network, proxy settings and AWS_ENDPOINT_URL", what, lastLine(msg))}
	}
	switch ErrorCode(err) {
	case "InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException",
		"SignatureDoesNotMatch", "InvalidSignatureException", "AuthFailure":
		return &FatalError{Err: err, Message: fmt.Sprintf(
			"AWS refused the credentials for the %s (%s): refresh or replace them (aws sso login, aws configure)", what, ErrorCode(err))}
	}
	return nil
}

// lastLine shortens an SDK error chain to its most specific part.
func lastLine(msg string) string {
	if i := strings.LastIndex(msg, ", "); i >= 0 && len(msg)-i > 20 {
		return strings.TrimSpace(msg[i+2:])
	}
	return msg
}

// ErrorCode is the AWS error code of err, or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// HTTPStatus is the HTTP status of the response that carried err, or 0.
func HTTPStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}

// Unsupported reports whether the endpoint does not implement the operation: an unknown
// operation or action, or an HTTP 404, 501 or a 500 without an AWS error code (what an
// emulator such as moto answers for an API it lacks).
func Unsupported(err error) bool {
	switch ErrorCode(err) {
	case "UnknownOperationException", "InvalidAction", "NotImplemented", "NotImplementedException":
		return true
	}
	switch HTTPStatus(err) {
	case http.StatusNotFound, http.StatusNotImplemented:
		return true
	case http.StatusInternalServerError:
		code := ErrorCode(err)
		return code == "" || code == "UnknownError" || code == "InternalServerError"
	}
	return false
}

// IsCode reports whether err carries one of the AWS error codes.
func IsCode(err error, codes ...string) bool {
	c := ErrorCode(err)
	for _, want := range codes {
		if c == want {
			return true
		}
	}
	return false
}

// Short renders an API error for a check's detail: code and message.
func Short(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "" && ae.ErrorCode() != "UnknownError" {
		if m := ae.ErrorMessage(); m != "" {
			return ae.ErrorCode() + ": " + m
		}
		return ae.ErrorCode()
	}
	if status := HTTPStatus(err); status != 0 {
		return fmt.Sprintf("HTTP %d without an AWS error code", status)
	}
	return err.Error()
}
