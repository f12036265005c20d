// Package web serves GCC Onboard over HTTP: the JSON API, the public HTML forms and pages, as one
// http.Handler that the local server mounts whole and each Lambda mounts for its own routes.
package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

// statusOf is the one mapping from error codes to HTTP status.
var statusOf = map[onboard.Code]int{
	onboard.ErrValidationFailed:         http.StatusUnprocessableEntity,
	onboard.ErrMalformedBody:            http.StatusBadRequest,
	onboard.ErrUnsupportedMediaType:     http.StatusUnsupportedMediaType,
	onboard.ErrBodyTooLarge:             http.StatusRequestEntityTooLarge,
	onboard.ErrUnauthorized:             http.StatusUnauthorized,
	onboard.ErrForbidden:                http.StatusForbidden,
	onboard.ErrNotFound:                 http.StatusNotFound,
	onboard.ErrUnavailable:              http.StatusServiceUnavailable,
	onboard.ErrTooManyRequests:          http.StatusTooManyRequests,
	onboard.ErrIdempotencyKeyReused:     http.StatusUnprocessableEntity,
	onboard.ErrIdempotencyKeyInProgress: http.StatusConflict,
	onboard.ErrIndirectReseller:         http.StatusUnprocessableEntity,
	onboard.ErrCspEnrollmentRequired:    http.StatusUnprocessableEntity,
	onboard.ErrAttestationRequired:      http.StatusUnprocessableEntity,
	onboard.ErrAzureGovernmentTenant:    http.StatusUnprocessableEntity,
	onboard.ErrPartnerNotGccQualified:   http.StatusForbidden,
	onboard.ErrDuplicateRequest:         http.StatusConflict,
	onboard.ErrRequestAlreadyDecided:    http.StatusConflict,
	onboard.ErrConflict:                 http.StatusConflict,
	onboard.ErrValidationIDRequired:     http.StatusUnprocessableEntity,
	onboard.ErrInvalidValidationID:      http.StatusUnprocessableEntity,
	onboard.ErrValidationCodeExhausted:  http.StatusConflict,
	onboard.ErrQualificationImmutable:   http.StatusConflict,
	onboard.ErrInvitationLinkMissing:    http.StatusUnprocessableEntity,
	onboard.ErrInvitationNotValid:       http.StatusGone,
	onboard.ErrInvitationAccepted:       http.StatusConflict,
	onboard.ErrRelationshipExists:       http.StatusConflict,
	onboard.ErrOfferNotEligible:         http.StatusUnprocessableEntity,
	onboard.ErrCartAlreadyOrdered:       http.StatusConflict,
	onboard.ErrCartExpired:              http.StatusConflict,
	onboard.ErrOrderNotCancellable:      http.StatusConflict,
}

// Status returns the HTTP status for err. PartnerNotGccQualified is 403 on partner routes (the
// caller lacks a qualification) but 422 on the public customer intake (a field names the wrong
// partner); the handler that knows says so with publicField.
func Status(err error) int {
	if s, ok := statusOf[onboard.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem details body with this API's `code` and `errors` members.
type Problem struct {
	Type     string               `json:"type"`
	Title    string               `json:"title"`
	Status   int                  `json:"status"`
	Detail   string               `json:"detail,omitempty"`
	Instance string               `json:"instance,omitempty"`
	Code     onboard.Code         `json:"code"`
	Errors   []onboard.FieldError `json:"errors,omitempty"`
}

// problemOf turns err into a Problem and its status. Anything that is not a domain error is logged
// and answered as a bare 500 that reveals nothing.
func problemOf(r *http.Request, err error, log *slog.Logger) (Problem, int) {
	var e *onboard.Error
	if !errors.As(err, &e) {
		log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", r.Pattern, "error", err)
		e = &onboard.Error{Code: onboard.ErrInternal, Message: "Something went wrong on our side. Retry later; if it persists, contact support."}
	}
	status := Status(e)
	if e.Code == onboard.ErrPartnerNotGccQualified && publicRoute(r) {
		status = http.StatusUnprocessableEntity
	}
	return Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: e.Message,
		Code: e.Code, Errors: e.Fields}, status
}

// writeProblem answers with err as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	p, status := problemOf(r, err, log)
	var e *onboard.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// List is the shape of every list response.
type List[T any] struct {
	TotalCount int `json:"totalCount"`
	Items      []T `json:"items"`
}

func listOf[T any](items []T) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{TotalCount: len(items), Items: items}
}
