package catalog

import (
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
)

// Offer is a supplier's product in the shared catalog.
type Offer struct {
	ID           uuid.UUID
	ConsortiumID uuid.UUID
	SupplierID   uuid.UUID
	Handle       string // the supplier's own key for the offer
	Title        string
	Description  string
	Brand        string
	CategoryID   *uuid.UUID
	Images       []string
	Attributes   []Attribute // sorted by key
	Status       string      // DRAFT, ACTIVE, DISCONTINUED
	Visibility   string      // CONSORTIUM, ALLOW_LIST
	// AllowList holds the member ids an ALLOW_LIST offer is visible to; filled only for
	// the supplier itself and the operator (a seller must not learn who else may source).
	AllowList []uuid.UUID
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Cursor is the offer's position in a supplier's offer list (by handle).
func (o *Offer) Cursor() string { return encodeCursor(o.Handle) }

// Attribute is a key/value pair: an offer attribute ("material": "steel") or a variant
// option ("size": "XL").
type Attribute struct {
	Key   string
	Value string
}

// Input limits.
const (
	MaxImages      = 20
	MaxAttributes  = 50
	MaxVariants    = 100 // per offer
	maxTitle       = 300
	maxDescription = 20000
	maxBrand       = 200
	maxAttrKey     = 100
	maxAttrValue   = 1000
	maxURL         = 2000
)

// OfferCreate is the input of CreateOffer.
type OfferCreate struct {
	Handle      string // optional: generated when empty
	Title       string
	Description string
	Brand       string
	CategoryID  *uuid.UUID
	Images      []string
	Attributes  []Attribute
	Status      string   // DRAFT (default) or ACTIVE
	Visibility  string   // CONSORTIUM (default) or ALLOW_LIST
	AllowList   []string // member handles, with ALLOW_LIST
	Variants    []VariantCreate
	// IdempotencyKey, when set, makes a retry return the first result.
	IdempotencyKey string
}

// Validate checks the input and fills defaults; currency is the consortium's.
func (in *OfferCreate) Validate(currency string) error {
	if in.Status == "" {
		in.Status = StatusDraft
	}
	if in.Visibility == "" {
		in.Visibility = VisibilityConsortium
	}
	in.Title, in.Brand = strings.TrimSpace(in.Title), strings.TrimSpace(in.Brand)
	var errs []error
	if in.Handle != "" && !ValidOfferHandle(in.Handle) {
		errs = append(errs, apperr.Invalid("handle", "must be 1–128 letters, digits, '.', '_', '/' or '-'"))
	}
	errs = append(errs, validateTitle(in.Title), validateDescription(in.Description), validateBrand(in.Brand),
		validateImages(in.Images), validateAttributes("attributes", in.Attributes))
	switch in.Status {
	case StatusDraft:
	case StatusActive:
		if len(in.Variants) == 0 {
			errs = append(errs, apperr.Invalid("status", "an ACTIVE offer needs at least one variant"))
		}
	default:
		errs = append(errs, apperr.Invalid("status", "a new offer is DRAFT or ACTIVE"))
	}
	errs = append(errs, validateVisibility(in.Visibility, in.AllowList != nil, in.AllowList))
	if len(in.Variants) > MaxVariants {
		errs = append(errs, apperr.Invalid("variants", "at most %d variants per offer", MaxVariants))
	}
	skus := map[string]bool{}
	for i := range in.Variants {
		f := "variants." + itoa(i)
		errs = append(errs, in.Variants[i].Validate(f, currency))
		if skus[in.Variants[i].SKU] {
			errs = append(errs, apperr.Invalid(f+".sku", "SKU %q appears twice", in.Variants[i].SKU))
		}
		skus[in.Variants[i].SKU] = true
	}
	return errors.Join(errs...)
}

// OfferUpdate changes the set fields of an offer.
type OfferUpdate struct {
	Title       *string
	Description *string
	Brand       *string
	CategoryID  *uuid.UUID // uuid.Nil removes the category
	Images      *[]string
	Attributes  *[]Attribute
	Status      *string
	Visibility  *string
	AllowList   *[]string // member handles; replaces the list
}

// Validate checks the set fields.
func (in *OfferUpdate) Validate() error {
	var errs []error
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		in.Title = &t
		errs = append(errs, validateTitle(t))
	}
	if in.Description != nil {
		errs = append(errs, validateDescription(*in.Description))
	}
	if in.Brand != nil {
		b := strings.TrimSpace(*in.Brand)
		in.Brand = &b
		errs = append(errs, validateBrand(b))
	}
	if in.Images != nil {
		errs = append(errs, validateImages(*in.Images))
	}
	if in.Attributes != nil {
		errs = append(errs, validateAttributes("attributes", *in.Attributes))
	}
	if in.Status != nil && !oneOf(*in.Status, StatusDraft, StatusActive, StatusDiscontinued) {
		errs = append(errs, apperr.Invalid("status", "must be one of DRAFT, ACTIVE, DISCONTINUED"))
	}
	if in.Visibility != nil && !oneOf(*in.Visibility, VisibilityConsortium, VisibilityAllowList) {
		errs = append(errs, apperr.Invalid("visibility", "must be CONSORTIUM or ALLOW_LIST"))
	}
	if in.AllowList != nil {
		errs = append(errs, validateHandles(*in.AllowList))
	}
	return errors.Join(errs...)
}

// statusMove checks an offer status transition. An offer sellers may have listed never
// goes back to DRAFT (its listings would vanish); it is discontinued instead.
func statusMove(from, to string, activeVariants int) error {
	if from == to {
		return nil
	}
	switch {
	case to == StatusDraft:
		return apperr.Conflict("status", "a %s offer cannot go back to DRAFT; discontinue it instead", from)
	case to == StatusActive && activeVariants == 0:
		return apperr.Conflict("status", "an ACTIVE offer needs at least one active variant")
	}
	return nil
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func validateTitle(t string) error {
	if n := utf8.RuneCountInString(t); n == 0 || n > maxTitle {
		return apperr.Invalid("title", "must be 1–%d characters", maxTitle)
	}
	return nil
}

func validateDescription(d string) error {
	if utf8.RuneCountInString(d) > maxDescription {
		return apperr.Invalid("description", "must be at most %d characters", maxDescription)
	}
	return nil
}

func validateBrand(b string) error {
	if utf8.RuneCountInString(b) > maxBrand {
		return apperr.Invalid("brand", "must be at most %d characters", maxBrand)
	}
	return nil
}

func validateImages(imgs []string) error {
	if len(imgs) > MaxImages {
		return apperr.Invalid("images", "at most %d images", MaxImages)
	}
	var errs []error
	for i, s := range imgs {
		u, err := url.Parse(s)
		if err != nil || len(s) > maxURL || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, apperr.Invalid("images."+itoa(i), "must be an http(s) URL of at most %d characters", maxURL))
		}
	}
	return errors.Join(errs...)
}

func validateAttributes(field string, attrs []Attribute) error {
	if len(attrs) > MaxAttributes {
		return apperr.Invalid(field, "at most %d entries", MaxAttributes)
	}
	var errs []error
	seen := map[string]bool{}
	for i, a := range attrs {
		f := field + "." + itoa(i)
		switch k := strings.TrimSpace(a.Key); {
		case k == "" || utf8.RuneCountInString(k) > maxAttrKey:
			errs = append(errs, apperr.Invalid(f+".key", "must be 1–%d characters", maxAttrKey))
		case seen[k]:
			errs = append(errs, apperr.Invalid(f+".key", "%q appears twice", k))
		default:
			seen[k] = true
		}
		if utf8.RuneCountInString(a.Value) > maxAttrValue {
			errs = append(errs, apperr.Invalid(f+".value", "must be at most %d characters", maxAttrValue))
		}
	}
	return errors.Join(errs...)
}

func validateVisibility(v string, hasList bool, list []string) error {
	switch v {
	case VisibilityConsortium:
		if hasList && len(list) > 0 {
			return apperr.Invalid("allowList", "an allow-list applies only to ALLOW_LIST visibility")
		}
		return nil
	case VisibilityAllowList:
		return validateHandles(list)
	}
	return apperr.Invalid("visibility", "must be CONSORTIUM or ALLOW_LIST")
}

func validateHandles(hs []string) error {
	if len(hs) > 1000 {
		return apperr.Invalid("allowList", "at most 1000 members")
	}
	return nil
}

// attrsJSON turns attributes into the jsonb object stored (keys trimmed).
func attrsJSON(attrs []Attribute) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[strings.TrimSpace(a.Key)] = a.Value
	}
	return m
}

// attrsFrom turns a stored jsonb object into attributes sorted by key.
func attrsFrom(m map[string]string) []Attribute {
	out := make([]Attribute, 0, len(m))
	for k, v := range m {
		out = append(out, Attribute{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
