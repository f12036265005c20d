// Package onboard is the domain of GCC Onboard: eligibility requests, partners, customers,
// validation codes, invitations and orders, with their rules and error codes. It imports no AWS
// package; adapters (shared/dynamo, shared/bolt, shared/ses, shared/web) depend on it, never the
// other way round.
package onboard

import (
	"errors"
	"fmt"
)

// Code is a stable, PascalCase error code that clients may switch on (API.md).
type Code string

// Error codes from the HTTP contract. The HTTP status for each lives in one place: shared/web.
const (
	ErrInternal                 Code = "Internal"
	ErrValidationFailed         Code = "ValidationFailed"
	ErrMalformedBody            Code = "MalformedBody"
	ErrUnsupportedMediaType     Code = "UnsupportedMediaType"
	ErrBodyTooLarge             Code = "BodyTooLarge"
	ErrUnauthorized             Code = "Unauthorized"
	ErrForbidden                Code = "Forbidden"
	ErrNotFound                 Code = "NotFound"
	ErrUnavailable              Code = "ServiceUnavailable"
	ErrTooManyRequests          Code = "TooManyRequests"
	ErrIdempotencyKeyReused     Code = "IdempotencyKeyReused"
	ErrIdempotencyKeyInProgress Code = "IdempotencyKeyInProgress"
	ErrIndirectReseller         Code = "IndirectResellerNotEligible"
	ErrCspEnrollmentRequired    Code = "CspEnrollmentRequired"
	ErrAttestationRequired      Code = "AttestationRequired"
	ErrAzureGovernmentTenant    Code = "AzureGovernmentTenantId"
	ErrPartnerNotGccQualified   Code = "PartnerNotGccQualified"
	ErrDuplicateRequest         Code = "DuplicateRequest"
	ErrRequestAlreadyDecided    Code = "RequestAlreadyDecided"
	ErrConflict                 Code = "Conflict"
	ErrValidationIDRequired     Code = "ValidationIdRequired"
	ErrInvalidValidationID      Code = "InvalidValidationId"
	ErrValidationCodeExhausted  Code = "ValidationCodeExhausted"
	ErrQualificationImmutable   Code = "QualificationImmutable"
	ErrInvitationLinkMissing    Code = "InvitationLinkMissing"
	ErrInvitationNotValid       Code = "InvitationNotValid"
	ErrInvitationAccepted       Code = "InvitationAlreadyAccepted"
	ErrRelationshipExists       Code = "RelationshipExists"
	ErrOfferNotEligible         Code = "OfferNotEligible"
	ErrCartAlreadyOrdered       Code = "CartAlreadyOrdered"
	ErrCartExpired              Code = "CartExpired"
	ErrOrderNotCancellable      Code = "OrderNotCancellable"
)

// FieldError names one offending field (dotted path, as the form flattens it) and the rule it broke.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the domain's one error type: a code, a message safe to show a user, and field errors.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// RetryAfter, in seconds, tells a client when a retryable error (conflict, throttling) may clear.
	RetryAfter int
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%s: %s)", e.Code, e.Message, e.Fields[0].Field, e.Fields[0].Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or ErrInternal if err is not (and wraps no) *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return ErrInternal
}

// Problems collects field errors while validating; Err returns nil when there were none.
type Problems []FieldError

// Add records that field broke a rule.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns a ValidationFailed error carrying the collected field errors, or nil.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: ErrValidationFailed, Message: "Some fields are missing or invalid.", Fields: p}
}
