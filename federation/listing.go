package federation

import (
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/jackc/pgx/v5"
)

// Listing statuses.
const (
	ListingPublished   = "PUBLISHED"
	ListingUnpublished = "UNPUBLISHED"
)

// Listing is an offer republished into a storefront: a reference to the offer, the
// seller's presentation and rule, and the offer's presentation as shoppers see it.
type Listing struct {
	ID                  uuid.UUID
	StorefrontID        uuid.UUID
	OfferID             uuid.UUID
	Handle              string
	Title               string // the override when set, else the offer's
	Description         string
	TitleOverride       *string
	DescriptionOverride *string
	Images              []string
	Brand               string // "" unless the supplier lets storefronts show it
	Vendor              string // the supplier's display name, likewise
	CategoryID          uuid.UUID
	CollectionID        uuid.UUID // uuid.Nil: none
	RuleID              uuid.UUID // the listing's own rule; uuid.Nil: inherited
	Status              string    // PUBLISHED, UNPUBLISHED
	PublishedAt         time.Time
	UpdatedAt           time.Time
}

const listingCols = `l.id, l.storefront_id, l.offer_id, l.handle, l.title, l.description, l.title_override,
	l.description_override, l.images, l.brand, l.vendor, l.category_id, l.collection_id, l.rule_id, l.status,
	l.published_at, l.updated_at`

func scanListing(row pgx.Row) (*Listing, error) {
	var l Listing
	var cat, coll, rule *uuid.UUID
	err := row.Scan(&l.ID, &l.StorefrontID, &l.OfferID, &l.Handle, &l.Title, &l.Description, &l.TitleOverride,
		&l.DescriptionOverride, &l.Images, &l.Brand, &l.Vendor, &cat, &coll, &rule, &l.Status, &l.PublishedAt, &l.UpdatedAt)
	l.CategoryID, l.CollectionID, l.RuleID = orNil(cat), orNil(coll), orNil(rule)
	return &l, err
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// ListingVariant is one variant of a listing with its computed price and status. For a
// customer in a group with its own prices, Price/CompareAt/Status are the group's.
type ListingVariant struct {
	ID         uuid.UUID
	ListingID  uuid.UUID
	VariantID  uuid.UUID
	Position   int
	Options    []catalog.Attribute // sorted by key
	Currency   string
	Price      int64
	CompareAt  *int64
	StockLevel string // IN_STOCK, LOW, OUT_OF_STOCK
	Status     string // ACTIVE, OUT_OF_STOCK, PRICE_HELD, UNAVAILABLE, UNPUBLISHED
	Reason     string // why, "" when nothing to say
	FixedPrice *int64 // the seller's own price for the variant, if set
	ComputedAt time.Time
}

func attrs(m map[string]string) []catalog.Attribute {
	out := make([]catalog.Attribute, 0, len(m))
	for k, v := range m {
		out = append(out, catalog.Attribute{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
