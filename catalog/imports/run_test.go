package imports_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/catalog/imports"
)

func TestImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	file := csvFile(
		goodRow("knife-1", "KN-1-S", map[string]string{"options": "size=S"}),
		goodRow("knife-1", "KN-1-M", map[string]string{"title": "", "description": "", "brand": "", "category_path": "",
			"images": "", "offer_status": "", "visibility": "", "options": "size=M", "price_tiers": "", "minimum_resale_price": ""}),
		goodRow("pan-1", "PAN-1", map[string]string{"title": "Skillet", "category_path": "home/kitchen/cookware",
			"ships_direct": "false", "warehouses": "wh-milan", "availability": "MADE_TO_ORDER", "quantity": "", "lead_time_days": "12",
			"offer_status": "", "visibility": "ALLOW_LIST"}),
	)

	t.Run("OK", func(t *testing.T) {
		job := e.mustImport(t, e.acme, "csv", file)
		if job.Status != imports.StatusSucceeded || job.Created != 3 || job.Updated != 0 || job.Failed != 0 ||
			job.Processed != 3 || job.TotalRows != 3 || job.Progress() != 1 || job.StartedAt == nil || job.FinishedAt == nil {
			t.Fatalf("job = %+v", job)
		}
		if errs := e.allErrors(t, e.acme, job.ID); len(errs) != 0 {
			t.Fatalf("errors: %+v", errs)
		}
		if n := e.count(t, `SELECT count(*) FROM offers WHERE supplier_id = $1`, e.acme.MemberID); n != 2 {
			t.Fatalf("%d offers", n)
		}
		var title, brand, cat, status, vis string
		var images []string
		if err := e.d.Owner.QueryRow(ctx, `SELECT o.title, o.brand, c.path, o.status, o.visibility, o.images
			FROM offers o JOIN categories c ON c.consortium_id = o.consortium_id AND c.id = o.category_id WHERE o.handle = 'knife-1'`).
			Scan(&title, &brand, &cat, &status, &vis, &images); err != nil {
			t.Fatal(err)
		}
		if title != "Chef's Knife knife-1" || brand != "Nordhaus" || cat != "home/kitchen/knives" || status != "ACTIVE" ||
			vis != "CONSORTIUM" || len(images) != 2 {
			t.Fatalf("offer knife-1: %q %q %q %q %q %v", title, brand, cat, status, vis, images)
		}
		if err := e.d.Owner.QueryRow(ctx, `SELECT status, visibility FROM offers WHERE handle = 'pan-1'`).Scan(&status, &vis); err != nil {
			t.Fatal(err)
		}
		if status != "DRAFT" || vis != "ALLOW_LIST" {
			t.Fatalf("pan-1: status %s visibility %s (empty status means DRAFT for a new offer)", status, vis)
		}
		var wholesale, srp int64
		var mrp *int64
		var opts map[string]string
		var currency, region string
		var shipsTo []string
		var direct bool
		var qty int
		if err := e.d.Owner.QueryRow(ctx, `SELECT wholesale_price, suggested_retail_price, minimum_resale_price, options,
			currency, ship_from_region, ships_to_regions, ships_direct, available_quantity FROM offer_variants WHERE sku = 'KN-1-S'`).
			Scan(&wholesale, &srp, &mrp, &opts, &currency, &region, &shipsTo, &direct, &qty); err != nil {
			t.Fatal(err)
		}
		if wholesale != 1000 || srp != 1999 || mrp == nil || *mrp != 1450 || opts["size"] != "S" || currency != "EUR" ||
			region != "DE-BY" || strings.Join(shipsTo, "|") != "DE|AT" || !direct || qty != 40 {
			t.Fatalf("variant KN-1-S: %d %d %v %v %s %s %v %v %d", wholesale, srp, mrp, opts, currency, region, shipsTo, direct, qty)
		}
		if n := e.count(t, `SELECT count(*) FROM variant_price_tiers t JOIN offer_variants v ON v.id = t.variant_id WHERE v.sku = 'KN-1-S'`); n != 2 {
			t.Fatalf("KN-1-S has %d tiers", n)
		}
		if n := e.count(t, `SELECT count(*) FROM variant_price_tiers t JOIN offer_variants v ON v.id = t.variant_id WHERE v.sku = 'KN-1-M'`); n != 0 {
			t.Fatalf("KN-1-M has %d tiers", n)
		}
		if n := e.count(t, `SELECT count(*) FROM variant_warehouses w JOIN offer_variants v ON v.id = w.variant_id WHERE v.supplier_id = $1`, e.acme.MemberID); n != 5 {
			t.Fatalf("%d warehouse links, want 2+2+1", n)
		}
		var avail string
		var days int
		if err := e.d.Owner.QueryRow(ctx, `SELECT availability, made_to_order_days FROM offer_variants WHERE sku = 'PAN-1'`).Scan(&avail, &days); err != nil {
			t.Fatal(err)
		}
		if avail != "MADE_TO_ORDER" || days != 12 {
			t.Fatalf("PAN-1: %s %d", avail, days)
		}
		if n := e.count(t, `SELECT count(*) FROM import_job_files`); n != 0 {
			t.Fatal("the file stays stored after the job ended")
		}
	})

	t.Run("OKRerunIsIdempotent", func(t *testing.T) {
		before := e.count(t, `SELECT count(*) FROM offer_variants`) + e.count(t, `SELECT count(*) FROM variant_price_tiers`) +
			e.count(t, `SELECT count(*) FROM variant_warehouses`) + e.count(t, `SELECT count(*) FROM offers`)
		job := e.mustImport(t, e.acme, "csv", file)
		if job.Created != 0 || job.Updated != 3 || job.Failed != 0 || job.Status != imports.StatusSucceeded {
			t.Fatalf("rerun job = %+v", job)
		}
		after := e.count(t, `SELECT count(*) FROM offer_variants`) + e.count(t, `SELECT count(*) FROM variant_price_tiers`) +
			e.count(t, `SELECT count(*) FROM variant_warehouses`) + e.count(t, `SELECT count(*) FROM offers`)
		if before != after {
			t.Fatalf("rows %d -> %d", before, after)
		}
		if n := e.count(t, `SELECT count(*) FROM offer_variants WHERE version <> 1`) + e.count(t, `SELECT count(*) FROM offers WHERE version <> 1`); n != 0 {
			t.Fatalf("%d versions bumped by an unchanged file", n)
		}
		if n := e.count(t, `SELECT count(*) FROM offer_changes`); n != 0 {
			t.Fatalf("%d changes logged for an unchanged file", n)
		}
	})

	t.Run("OKChangesBumpVersionAndAreLogged", func(t *testing.T) {
		changed := csvFile(
			goodRow("knife-1", "KN-1-S", map[string]string{"options": "size=S", "wholesale_price": "11.00", "price_tiers": "10:10.50",
				"warehouses": "wh-berlin", "offer_status": "DISCONTINUED"}),
		)
		job := e.mustImport(t, e.acme, "csv", changed)
		if job.Created != 0 || job.Updated != 1 || job.Failed != 0 {
			t.Fatalf("job = %+v", job)
		}
		var version int
		var raw []byte
		if err := e.d.Owner.QueryRow(ctx, `SELECT c.version, c.changes FROM offer_changes c JOIN offer_variants v ON v.id = c.variant_id
			WHERE v.sku = 'KN-1-S'`).Scan(&version, &raw); err != nil {
			t.Fatal(err)
		}
		var changes map[string]struct{ Old, New json.RawMessage }
		if err := json.Unmarshal(raw, &changes); err != nil {
			t.Fatal(err)
		}
		if version != 2 || string(changes["wholesalePrice"].Old) != "1000" || string(changes["wholesalePrice"].New) != "1100" ||
			string(changes["priceTiers"].New) != "[[10, 1050]]" || len(changes) != 2 {
			t.Fatalf("version %d changes %s", version, raw)
		}
		if err := e.d.Owner.QueryRow(ctx, `SELECT c.version, c.changes FROM offer_changes c JOIN offers o ON o.id = c.offer_id
			WHERE o.handle = 'knife-1' AND c.variant_id IS NULL`).Scan(&version, &raw); err != nil {
			t.Fatal(err)
		}
		if version != 2 || !strings.Contains(string(raw), `"status": {"new": "DISCONTINUED", "old": "ACTIVE"}`) {
			t.Fatalf("offer change v%d %s", version, raw)
		}
		if n := e.count(t, `SELECT count(*) FROM variant_price_tiers t JOIN offer_variants v ON v.id = t.variant_id WHERE v.sku = 'KN-1-S'`); n != 1 {
			t.Fatalf("KN-1-S has %d tiers, want the 1 of the new file", n)
		}
		if n := e.count(t, `SELECT count(*) FROM variant_warehouses w JOIN offer_variants v ON v.id = w.variant_id WHERE v.sku = 'KN-1-S'`); n != 1 {
			t.Fatalf("KN-1-S has %d warehouses, want 1", n)
		}
		// Empty offer_status keeps the current status.
		keep := csvFile(goodRow("knife-1", "KN-1-S", map[string]string{"options": "size=S", "wholesale_price": "11.00",
			"price_tiers": "10:10.50", "warehouses": "wh-berlin", "offer_status": ""}))
		e.mustImport(t, e.acme, "csv", keep)
		var status string
		if err := e.d.Owner.QueryRow(ctx, `SELECT status FROM offers WHERE handle = 'knife-1'`).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != "DISCONTINUED" {
			t.Fatalf("status %s after an import with empty offer_status", status)
		}
	})

	t.Run("OKNewVariantOfExistingOfferIsLogged", func(t *testing.T) {
		file := csvFile(goodRow("pan-1", "PAN-1", map[string]string{"title": "Skillet", "category_path": "home/kitchen/cookware",
			"ships_direct": "false", "warehouses": "wh-milan", "availability": "MADE_TO_ORDER", "quantity": "", "lead_time_days": "12",
			"offer_status": "", "visibility": "ALLOW_LIST"}),
			variantRow("pan-1", "PAN-2", map[string]string{"minimum_resale_price": "", "price_tiers": ""}))
		job := e.mustImport(t, e.acme, "csv", file)
		if job.Created != 1 || job.Updated != 1 {
			t.Fatalf("job = %+v", job)
		}
		var version int
		var raw string
		if err := e.d.Owner.QueryRow(ctx, `SELECT c.version, c.changes::text FROM offer_changes c JOIN offer_variants v ON v.id = c.variant_id
			WHERE v.sku = 'PAN-2'`).Scan(&version, &raw); err != nil {
			t.Fatal(err)
		}
		if version != 1 || !strings.Contains(raw, `"wholesalePrice": {"new": 1000, "old": null}`) || !strings.Contains(raw, `"priceTiers": {"new": [], "old": null}`) ||
			strings.Contains(raw, "minimumResalePrice") {
			t.Fatalf("v%d %s", version, raw)
		}
	})

	t.Run("OKConsortiumVisibilityDropsAllowList", func(t *testing.T) {
		if _, err := e.d.Owner.Exec(ctx, `INSERT INTO offer_visibility (consortium_id, offer_id, member_id)
			SELECT consortium_id, id, $1 FROM offers WHERE handle = 'pan-1' AND supplier_id = $2`, e.globex.MemberID, e.acme.MemberID); err != nil {
			t.Fatal(err)
		}
		file := csvFile(goodRow("pan-1", "PAN-1", map[string]string{"title": "Skillet", "category_path": "home/kitchen/cookware",
			"ships_direct": "false", "warehouses": "wh-milan", "availability": "MADE_TO_ORDER", "quantity": "", "lead_time_days": "12",
			"offer_status": "", "visibility": "CONSORTIUM"}))
		e.mustImport(t, e.acme, "csv", file)
		if n := e.count(t, `SELECT count(*) FROM offer_visibility`); n != 0 {
			t.Fatalf("%d allow-list rows left", n)
		}
		var raw string
		if err := e.d.Owner.QueryRow(ctx, `SELECT c.changes::text FROM offer_changes c JOIN offers o ON o.id = c.offer_id
			WHERE o.handle = 'pan-1' AND c.variant_id IS NULL ORDER BY c.id DESC LIMIT 1`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(raw, `"visibility": {"new": "CONSORTIUM", "old": "ALLOW_LIST"}`) || !strings.Contains(raw, `"allowList": {"new": null, "old": ["`+e.globex.MemberID.String()+`"]}`) {
			t.Fatalf("changes %s", raw)
		}
	})

	t.Run("OKSuppliersAreSeparate", func(t *testing.T) {
		// The same handles and SKUs from another supplier are that supplier's own offers.
		job := e.mustImport(t, e.globex, "csv", file)
		if job.Created != 3 || job.Updated != 0 {
			t.Fatalf("globex job = %+v", job)
		}
		if n := e.count(t, `SELECT count(*) FROM offers WHERE handle = 'knife-1'`); n != 2 {
			t.Fatalf("%d knife-1 offers", n)
		}
	})
}
