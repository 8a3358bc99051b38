package gateway

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
)

const (
	kindLedgerEntry       = "LedgerEntry"
	kindLedgerTransaction = "LedgerTransaction"
	kindPayment           = "Payment"
)

func (r *Resolver) paymentsCall(ctx context.Context) (tenants.Principal, *payments.Service, error) {
	p, err := authenticated(ctx)
	if err != nil {
		return p, nil, err
	}
	if r.svc.Payments == nil {
		return p, nil, gqlError(ctx, errNotWired("payments"))
	}
	return p, r.svc.Payments, nil
}

type notWired string

func (e notWired) Error() string { return string(e) + " service is not wired" }
func errNotWired(s string) error { return notWired(s) }

// --- ledger ---

type ledgerEntryResolver struct{ e ledger.Entry }

func partyKindOf(kind string) string {
	switch kind {
	case "SUPPLIER", "REFERRER":
		return kindMember
	case "CUSTOMER":
		return kindCustomer
	case "STOREFRONT":
		return kindStorefront
	}
	return kindConsortium
}

func (e ledgerEntryResolver) ID() graphql.ID { return gid(kindLedgerEntry, e.e.ID) }
func (e ledgerEntryResolver) TransactionId() graphql.ID {
	return gid(kindLedgerTransaction, e.e.TransactionID)
}
func (e ledgerEntryResolver) Kind() string        { return e.e.Kind }
func (e ledgerEntryResolver) OrderId() graphql.ID { return gid(kindOrder, e.e.OrderID) }
func (e ledgerEntryResolver) OrderLineId() *graphql.ID {
	if e.e.OrderLineID == uuid.Nil {
		return nil
	}
	id := gid(kindOrderLine, e.e.OrderLineID)
	return &id
}
func (e ledgerEntryResolver) PartyKind() string { return e.e.PartyKind }
func (e ledgerEntryResolver) PartyId() graphql.ID {
	return gid(partyKindOf(e.e.PartyKind), e.e.PartyID)
}
func (e ledgerEntryResolver) Account() string         { return e.e.Account }
func (e ledgerEntryResolver) Amount() *moneyResolver  { return newMoney(e.e.Amount, e.e.Currency) }
func (e ledgerEntryResolver) CreatedAt() graphql.Time { return graphql.Time{Time: e.e.CreatedAt} }

type ledgerEntryEdge struct{ e ledgerEntryResolver }

func (e ledgerEntryEdge) Cursor() string            { return encodeCursor(strconv.FormatInt(e.e.e.Seq, 10)) }
func (e ledgerEntryEdge) Node() ledgerEntryResolver { return e.e }

type ledgerEntryConnection struct {
	edges []ledgerEntryEdge
	info  pageInfo
}

func (c *ledgerEntryConnection) Edges() []ledgerEntryEdge { return c.edges }
func (c *ledgerEntryConnection) PageInfo() pageInfo       { return c.info }

// LedgerEntries pages through the entries the caller may see, in posting order.
func (r *Resolver) LedgerEntries(ctx context.Context, args struct {
	First int32
	After *string
}) (*ledgerEntryConnection, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	first := int(args.First)
	cur, err := decodeCursor(args.After)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	var after int64
	if cur != "" {
		if after, err = strconv.ParseInt(cur, 10, 64); err != nil {
			return nil, gqlError(ctx, apperr.Invalid("after", "is not a valid cursor"))
		}
	}
	es, more, err := svc.Ledger().Entries(ctx, p, first, after)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	c := &ledgerEntryConnection{edges: make([]ledgerEntryEdge, len(es)), info: pageInfo{hasNext: more}}
	for i, e := range es {
		c.edges[i] = ledgerEntryEdge{ledgerEntryResolver{e}}
	}
	if len(es) > 0 {
		c.info.end = c.edges[len(es)-1].Cursor()
	}
	return c, nil
}

type ledgerBalanceResolver struct{ b ledger.Balance }

func (b ledgerBalanceResolver) PartyKind() string { return b.b.PartyKind }
func (b ledgerBalanceResolver) PartyId() graphql.ID {
	return gid(partyKindOf(b.b.PartyKind), b.b.PartyID)
}
func (b ledgerBalanceResolver) Account() string        { return b.b.Account }
func (b ledgerBalanceResolver) Amount() *moneyResolver { return newMoney(b.b.Amount, b.b.Currency) }

// Balances lists the balances of the accounts the caller may see.
func (r *Resolver) Balances(ctx context.Context) ([]ledgerBalanceResolver, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	bs, err := svc.Ledger().Balances(ctx, p)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]ledgerBalanceResolver, len(bs))
	for i, b := range bs {
		out[i] = ledgerBalanceResolver{b}
	}
	return out, nil
}

// --- invoices and payments ---

type invoiceResolver struct{ i *payments.Invoice }

func (i *invoiceResolver) OrderId() graphql.ID    { return gid(kindOrder, i.i.OrderID) }
func (i *invoiceResolver) Method() string         { return i.i.Method }
func (i *invoiceResolver) Amount() *moneyResolver { return newMoney(i.i.Amount, i.i.Currency) }
func (i *invoiceResolver) Paid() *moneyResolver   { return newMoney(i.i.Paid, i.i.Currency) }
func (i *invoiceResolver) Outstanding() *moneyResolver {
	return newMoney(i.i.Outstanding(), i.i.Currency)
}
func (i *invoiceResolver) DueAt() graphql.Time { return graphql.Time{Time: i.i.DueAt} }
func (i *invoiceResolver) Status() string      { return i.i.Status }

func newInvoice(i *payments.Invoice) *invoiceResolver {
	if i == nil {
		return nil
	}
	return &invoiceResolver{i}
}

type paymentResolver struct{ p *payments.Payment }

func (p *paymentResolver) ID() graphql.ID          { return gid(kindPayment, p.p.ID) }
func (p *paymentResolver) Method() string          { return p.p.Method }
func (p *paymentResolver) Status() string          { return p.p.Status }
func (p *paymentResolver) Amount() *moneyResolver  { return newMoney(p.p.Amount, p.p.Currency) }
func (p *paymentResolver) Note() string            { return p.p.Note }
func (p *paymentResolver) CreatedAt() graphql.Time { return graphql.Time{Time: p.p.CreatedAt} }

// Invoice is Order.invoice, batched per request.
func (o *orderResolver) Invoice(ctx context.Context) (*invoiceResolver, error) {
	if o.r.svc.Payments == nil {
		return nil, nil
	}
	inv, err := loader(ctx, "invoice", func(ctx context.Context, ids []uuid.UUID) ([]*payments.Invoice, error) {
		return o.r.svc.Payments.InvoicesOfOrders(ctx, principal(ctx), ids)
	}).Load(ctx, o.o.ID)()
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return newInvoice(inv), nil
}

// Margin is Order.margin (the seller's and storefront key's), batched per request.
func (o *orderResolver) Margin(ctx context.Context) (*moneyResolver, error) {
	if o.r.svc.Payments == nil {
		return nil, nil
	}
	m, err := loader(ctx, "margin", func(ctx context.Context, ids []uuid.UUID) ([]*int64, error) {
		return o.r.svc.Payments.MarginsOfOrders(ctx, principal(ctx), ids)
	}).Load(ctx, o.o.ID)()
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	if m == nil {
		return nil, nil
	}
	return newMoney(*m, o.o.Currency), nil
}

// Payments is Order.payments, batched per request.
func (o *orderResolver) Payments(ctx context.Context) ([]*paymentResolver, error) {
	if o.r.svc.Payments == nil {
		return []*paymentResolver{}, nil
	}
	ps, err := loader(ctx, "payments", func(ctx context.Context, ids []uuid.UUID) ([][]*payments.Payment, error) {
		return o.r.svc.Payments.PaymentsOfOrders(ctx, principal(ctx), ids)
	}).Load(ctx, o.o.ID)()
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*paymentResolver, len(ps))
	for i, p := range ps {
		out[i] = &paymentResolver{p}
	}
	return out, nil
}

// OverdueInvoices lists open invoices past due.
func (r *Resolver) OverdueInvoices(ctx context.Context, args struct{ First int32 }) ([]*invoiceResolver, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	first := int(args.First)
	is, err := svc.OverdueInvoices(ctx, p, first)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	out := make([]*invoiceResolver, len(is))
	for i, inv := range is {
		out[i] = newInvoice(inv)
	}
	return out, nil
}

type orderPaymentPayload struct {
	pay  *payments.Payment
	inv  *payments.Invoice
	errs []userErrorResolver
}

func (p *orderPaymentPayload) Payment() *paymentResolver {
	if p.pay == nil {
		return nil
	}
	return &paymentResolver{p.pay}
}
func (p *orderPaymentPayload) Invoice() *invoiceResolver       { return newInvoice(p.inv) }
func (p *orderPaymentPayload) UserErrors() []userErrorResolver { return p.errs }

func newOrderPaymentPayload(ctx context.Context, pay *payments.Payment, inv *payments.Invoice, err error) (*orderPaymentPayload, error) {
	errs, err := mutationResult(ctx, notFoundAsInvalid(err, "orderId"))
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return &orderPaymentPayload{errs: errs}, nil
	}
	return &orderPaymentPayload{pay: pay, inv: inv, errs: errs}, nil
}

// OrderRecordPayment records a (partial) invoice payment.
func (r *Resolver) OrderRecordPayment(ctx context.Context, args struct {
	Input struct {
		OrderId        graphql.ID
		Amount         string
		Note           *string
		IdempotencyKey *string
	}
}) (*orderPaymentPayload, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	in := args.Input
	order, err := parseID("orderId", in.OrderId, kindOrder)
	if err != nil {
		return newOrderPaymentPayload(ctx, nil, nil, err)
	}
	inv, err := svc.Invoice(ctx, p, order)
	if err != nil {
		return newOrderPaymentPayload(ctx, nil, nil, err)
	}
	amount, err := money.Parse(in.Amount, inv.Currency)
	if err != nil {
		return newOrderPaymentPayload(ctx, nil, nil, apperr.Invalid("amount", "is not an amount in %s", inv.Currency))
	}
	pay, err := svc.RecordPayment(ctx, p, payments.RecordInput{OrderID: order, Amount: amount, Note: deref(in.Note), IdempotencyKey: deref(in.IdempotencyKey)})
	if err == nil {
		inv, err = svc.Invoice(ctx, p, order)
	}
	return newOrderPaymentPayload(ctx, pay, inv, err)
}

// OrderMarkPaid records a payment of what is still open.
func (r *Resolver) OrderMarkPaid(ctx context.Context, args struct {
	Input struct {
		OrderId        graphql.ID
		IdempotencyKey *string
	}
}) (*orderPaymentPayload, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	order, err := parseID("orderId", args.Input.OrderId, kindOrder)
	if err != nil {
		return newOrderPaymentPayload(ctx, nil, nil, err)
	}
	inv, err := svc.MarkPaid(ctx, p, order, deref(args.Input.IdempotencyKey))
	return newOrderPaymentPayload(ctx, nil, inv, err)
}

// --- payouts ---

type payoutStatementResolver struct{ s payments.Statement }

func (s payoutStatementResolver) SupplierId() graphql.ID { return gid(kindMember, s.s.SupplierID) }
func (s payoutStatementResolver) Due() *moneyResolver    { return newMoney(s.s.Due, s.s.Currency) }
func (s payoutStatementResolver) Lines() int32           { return int32(s.s.Lines) }
func (s payoutStatementResolver) From() graphql.Time     { return graphql.Time{Time: s.s.From} }
func (s payoutStatementResolver) To() graphql.Time       { return graphql.Time{Time: s.s.To} }

type payoutStatementsResolver struct{ sts []payments.Statement }

func (p *payoutStatementsResolver) Statements() []payoutStatementResolver {
	out := make([]payoutStatementResolver, len(p.sts))
	for i, s := range p.sts {
		out[i] = payoutStatementResolver{s}
	}
	return out
}

func (p *payoutStatementsResolver) Csv() (string, error) {
	var b strings.Builder
	err := payments.WriteStatementsCSV(&b, p.sts)
	return b.String(), err
}

// PayoutStatements lists what became due to suppliers in a period.
func (r *Resolver) PayoutStatements(ctx context.Context, args struct{ From, To graphql.Time }) (*payoutStatementsResolver, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	sts, err := svc.PayoutStatements(ctx, p, args.From.Time, args.To.Time)
	if err != nil {
		return nil, gqlError(ctx, err)
	}
	return &payoutStatementsResolver{sts}, nil
}

type payoutAccountPayload struct {
	account *string
	errs    []userErrorResolver
}

func (p *payoutAccountPayload) StripeAccountId() *string        { return p.account }
func (p *payoutAccountPayload) UserErrors() []userErrorResolver { return p.errs }

// MemberSetPayoutAccount sets the calling member's Stripe connected account.
func (r *Resolver) MemberSetPayoutAccount(ctx context.Context, args struct {
	Input struct{ StripeAccountId string }
}) (*payoutAccountPayload, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	err = svc.SetPayoutAccount(ctx, p, args.Input.StripeAccountId)
	errs, err := mutationResult(ctx, err)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return &payoutAccountPayload{errs: errs}, nil
	}
	acct := strings.TrimSpace(args.Input.StripeAccountId)
	return &payoutAccountPayload{account: &acct, errs: errs}, nil
}

// --- refunds and card payments ---

// refundResolver is a refund in its order's currency.
type refundResolver struct {
	r   *payments.Refund
	cur string
}

func (r *refundResolver) Amount() *moneyResolver { return newMoney(r.r.Amount, r.cur) }
func (r *refundResolver) Method() string         { return r.r.Method }

type orderRefundPayload struct {
	refund *refundResolver
	inv    *payments.Invoice
	errs   []userErrorResolver
}

func (p *orderRefundPayload) Refund() *refundResolver         { return p.refund }
func (p *orderRefundPayload) Invoice() *invoiceResolver       { return newInvoice(p.inv) }
func (p *orderRefundPayload) UserErrors() []userErrorResolver { return p.errs }

// OrderRefundOwed refunds what cancellations left owed to the customer.
func (r *Resolver) OrderRefundOwed(ctx context.Context, args struct{ Input struct{ OrderId graphql.ID } }) (*orderRefundPayload, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	var ref *payments.Refund
	var inv *payments.Invoice
	order, err := parseID("orderId", args.Input.OrderId, kindOrder)
	if err == nil {
		ref, err = svc.RefundOwed(ctx, p, order)
	}
	if err == nil {
		inv, err = svc.Invoice(ctx, p, order)
	}
	errs, err := mutationResult(ctx, notFoundAsInvalid(err, "orderId"))
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return &orderRefundPayload{errs: errs}, nil
	}
	return &orderRefundPayload{refund: &refundResolver{r: ref, cur: inv.Currency}, inv: inv, errs: errs}, nil
}

type cardPaymentPayload struct {
	cp   *payments.CardPayment
	errs []userErrorResolver
}

func (p *cardPaymentPayload) ClientSecret() *string {
	if p.cp == nil {
		return nil
	}
	return &p.cp.ClientSecret
}
func (p *cardPaymentPayload) PaymentIntentId() *string {
	if p.cp == nil {
		return nil
	}
	return &p.cp.PaymentIntentID
}
func (p *cardPaymentPayload) Amount() *moneyResolver {
	if p.cp == nil {
		return nil
	}
	return newMoney(p.cp.Amount, p.cp.Currency)
}
func (p *cardPaymentPayload) UserErrors() []userErrorResolver { return p.errs }

// OrderCardPaymentCreate creates the order's PaymentIntent.
func (r *Resolver) OrderCardPaymentCreate(ctx context.Context, args struct{ Input struct{ OrderId graphql.ID } }) (*cardPaymentPayload, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	var cp *payments.CardPayment
	order, err := parseID("orderId", args.Input.OrderId, kindOrder)
	if err == nil {
		cp, err = svc.CreatePaymentIntent(ctx, p, order)
	}
	errs, err := mutationResult(ctx, notFoundAsInvalid(err, "orderId"))
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return &cardPaymentPayload{errs: errs}, nil
	}
	return &cardPaymentPayload{cp: cp, errs: errs}, nil
}

type reversalResolver struct{ v payments.Reversal }

func (r reversalResolver) SupplierId() graphql.ID   { return gid(kindMember, r.v.SupplierID) }
func (r reversalResolver) Amount() *moneyResolver   { return newMoney(r.v.Amount, r.v.Currency) }
func (r reversalResolver) StripeTransferId() string { return r.v.TransferID }
func (r reversalResolver) StripeReversalId() string { return r.v.StripeReversalID }

type orderReturnPayload struct {
	ret  *payments.Return
	inv  *payments.Invoice
	errs []userErrorResolver
}

func (p *orderReturnPayload) ReturnedAmount() *moneyResolver {
	if p.ret == nil {
		return nil
	}
	return newMoney(p.ret.Amount, p.inv.Currency)
}
func (p *orderReturnPayload) Refund() *refundResolver {
	if p.ret == nil || p.ret.Refund == nil {
		return nil
	}
	return &refundResolver{r: p.ret.Refund, cur: p.inv.Currency}
}
func (p *orderReturnPayload) Reversals() []reversalResolver {
	var out []reversalResolver
	if p.ret != nil {
		for _, v := range p.ret.Reversals {
			out = append(out, reversalResolver{v})
		}
	}
	return out
}
func (p *orderReturnPayload) Invoice() *invoiceResolver       { return newInvoice(p.inv) }
func (p *orderReturnPayload) UserErrors() []userErrorResolver { return p.errs }

// OrderReturn records a return of shipped units.
func (r *Resolver) OrderReturn(ctx context.Context, args struct {
	Input struct {
		OrderId graphql.ID
		Lines   []struct {
			OrderLineId graphql.ID
			Quantity    int32
		}
		Reason         *string
		IdempotencyKey *string
	}
}) (*orderReturnPayload, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	in := payments.ReturnInput{Reason: deref(args.Input.Reason), IdempotencyKey: deref(args.Input.IdempotencyKey)}
	var errs []error
	if in.OrderID, err = parseID("orderId", args.Input.OrderId, kindOrder); err != nil {
		errs = append(errs, err)
	}
	for i, l := range args.Input.Lines {
		id, err := parseID(fmt.Sprintf("lines.%d.orderLineId", i), l.OrderLineId, kindOrderLine)
		if err != nil {
			errs = append(errs, err)
		}
		in.Lines = append(in.Lines, payments.ReturnLine{OrderLineID: id, Quantity: int(l.Quantity)})
	}
	var ret *payments.Return
	var inv *payments.Invoice
	err = errors.Join(errs...)
	if err == nil {
		ret, err = svc.ReturnUnits(ctx, p, in)
	}
	if err == nil {
		inv, err = svc.Invoice(ctx, p, in.OrderID)
	}
	uerrs, err := mutationResult(ctx, notFoundAsInvalid(err, "orderId"))
	if err != nil {
		return nil, err
	}
	if len(uerrs) > 0 {
		return &orderReturnPayload{errs: uerrs}, nil
	}
	return &orderReturnPayload{ret: ret, inv: inv, errs: uerrs}, nil
}

type referralResolver struct {
	r   *Resolver
	ref *payments.Referral
}

func (x *referralResolver) StorefrontId() graphql.ID { return gid(kindStorefront, x.ref.StorefrontID) }
func (x *referralResolver) Referrer(ctx context.Context) (*memberResolver, error) {
	return optMember(ctx, x.r, x.ref.ReferrerID)
}
func (x *referralResolver) ShareBps() int32 { return int32(x.ref.ShareBps) }

type referralPayload struct {
	ref  *referralResolver
	errs []userErrorResolver
}

func (p *referralPayload) Referral() *referralResolver     { return p.ref }
func (p *referralPayload) UserErrors() []userErrorResolver { return p.errs }

// StorefrontReferralSet sets or removes a storefront's referral share.
func (r *Resolver) StorefrontReferralSet(ctx context.Context, args struct {
	Input struct {
		StorefrontId graphql.ID
		ReferrerId   *graphql.ID
		ShareBps     *int32
	}
}) (*referralPayload, error) {
	p, svc, err := r.paymentsCall(ctx)
	if err != nil {
		return nil, err
	}
	var ref *payments.Referral
	sf, err := parseID("storefrontId", args.Input.StorefrontId, kindStorefront)
	referrer := uuid.Nil
	if err == nil && args.Input.ReferrerId != nil {
		referrer, err = parseID("referrerId", *args.Input.ReferrerId, kindMember)
	}
	if err == nil {
		var bps int
		if args.Input.ShareBps != nil {
			bps = int(*args.Input.ShareBps)
		}
		ref, err = svc.SetReferral(ctx, p, sf, referrer, bps)
	}
	errs, err := mutationResult(ctx, notFoundAsInvalid(err, "storefrontId"))
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 || ref == nil {
		return &referralPayload{errs: errs}, nil
	}
	return &referralPayload{ref: &referralResolver{r, ref}, errs: errs}, nil
}
