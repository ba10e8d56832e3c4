using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Quotes;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Integration.Features.Imports;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Orders;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Orders.OrderApi;

namespace Crm.IntegrationTests.Sales.Orders;

/// <summary>
/// <c>POST /api/v1/imports/orders</c>: one row per order line, rows of one order share its externalId. Product at 1,000.00
/// with 13% VAT: one unit is 1,130.00. The credit customer may take 10,000.00 and owes 2,000.00 (8,000.00 available).
/// </summary>
internal sealed class OrderImportTests : IntegrationTest
{
    private QuoteOrg _org = null!;
    private HttpClient _rep = null!;
    private HttpClient _manager = null!;
    private string _customer = null!;
    private Guid _customerId;
    private string _credit = null!;
    private Guid _creditId;

    [SetUp]
    public async Task ArrangeAsync()
    {
        _org = await QuoteApi.CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        _manager = Factory.ClientFor(_org.EastManager);
        using var director = Factory.ClientFor(_org.Director);
        await ProductAsync(director, "OI-A", 1000m);
        await ProductAsync(director, "OI-B", 200m);
        var customer = (await CustomerApi.CreateAsync(_rep, new { kind = "organization", name = "导入订单客户" })).Customer;
        (_customer, _customerId) = (customer.Code, customer.Id);
        var credit = (await CustomerApi.CreateAsync(_rep, new { kind = "organization", name = "信用导入客户", creditLimit = 10_000m })).Customer;
        (_credit, _creditId) = (credit.Code, credit.Id);
        await SetOutstandingBalanceAsync(_creditId, 2_000m);
    }

    [TearDown]
    public void DisposeClients()
    {
        _rep.Dispose();
        _manager.Dispose();
    }

    private static string Describe(ImportReport report) => string.Join("; ", report.Errors.Select(e => $"{e.Row} {e.Column}: {e.Message}"));

    private string TwoOrders() => $"""
        订单编号,客户编号,币种,下单日期,status,产品编号,数量,单价,折扣
        ERP-1,{_customer},CNY,2026-12-01,draft,OI-A,2,,
        ERP-1,,,,,OI-B,5,180,10
        ERP-2,{_customer},CNY,2026-12-02,confirmed,OI-B,1,,
        """;

    [Test]
    public async Task A_gb18030_csv_with_chinese_headers_makes_multi_line_orders_priced_as_the_api_prices_them_and_a_rerun_changes_nothing()
    {
        var report = await ImportAsync(_rep, "orders", Csv(TwoOrders(), Gb18030));

        Assert.That((report.Status, report.Created, report.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 3L, 0L)), Describe(report));
        var page = (await ListAsync()).Items;
        var first = (await GetAsync(_rep, page.Single(o => o.ExternalId == "ERP-1").Id)).Order;
        var second = (await GetAsync(_rep, page.Single(o => o.ExternalId == "ERP-2").Id)).Order;
        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(OrderStatus.Draft));
            Assert.That(first.PricedOn, Is.EqualTo(new DateOnly(2026, 12, 1)));
            Assert.That(first.OwnerId, Is.EqualTo(_org.EastRep.Id), "the customer's owner");
            Assert.That(first.Lines.Select(l => (l.Sku, l.Quantity, l.UnitPrice, l.ReferenceUnitPrice, l.DiscountPercent)), Is.EqualTo(new[]
            {
                ("OI-A", 2m, 1000m, 1000m, 0m), ("OI-B", 5m, 180m, 200m, 10m),
            }));
            Assert.That(first.Total, Is.EqualTo(2260m + 915.30m), "2 × 1,000 + 13% and 5 × 180 − 10% + 13%");
            Assert.That(second.Status, Is.EqualTo(OrderStatus.Confirmed));
            Assert.That(second.Number, Does.StartWith("SO-"));
        });

        var again = await ImportAsync(_rep, "orders", Csv(TwoOrders(), Gb18030));
        Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 0L, 3L, 0L)), Describe(again));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.order_lines l JOIN sales.orders o ON o.id = l.order_id WHERE o.external_id LIKE 'ERP-%'"), Is.EqualTo(3));
    }

    [Test]
    public async Task Ndjson_dry_run_reports_without_writing_and_a_draft_is_updated_and_confirmed_by_a_later_file()
    {
        var ndjson = $$"""
            {"externalId":"ND-1","customerCode":"{{_customer}}","sku":"OI-A","quantity":"1"}
            {"externalId":"ND-1","sku":"OI-B","quantity":"2"}
            """;
        var dry = await ImportAsync(_rep, "orders", Body(ndjson, "application/x-ndjson"), "dryRun=true");
        Assert.That((dry.DryRun, dry.Created, dry.Rejected), Is.EqualTo((true, 2L, 0L)), Describe(dry));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.orders WHERE external_id = 'ND-1'"), Is.EqualTo(0));

        await ImportAsync(_rep, "orders", Body(ndjson, "application/x-ndjson"));
        var changed = await ImportAsync(_rep, "orders", Csv($"externalId,status,sku,quantity\nND-1,confirmed,OI-A,3\nND-1,,OI-B,2\n"));

        Assert.That((changed.Updated, changed.Rejected), Is.EqualTo((2L, 0L)), Describe(changed));
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders WHERE external_id = 'ND-1' AND status = 'Confirmed' AND total = 3842"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.order_lines l JOIN sales.orders o ON o.id = l.order_id WHERE o.external_id = 'ND-1'"), Is.EqualTo(2));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%OrderPlaced%'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Conflicting_order_columns_and_bad_cells_are_row_errors_with_file_rows_and_reject_the_whole_order_while_a_split_order_is_assembled()
    {
        var csv = $"""
            externalId,customerCode,currency,sku,quantity,discount
            BAD-1,{_customer},CNY,OI-A,1,
            BAD-1,{_customer},USD,OI-B,1,
            OK-1,{_customer},,OI-A,1,
            BAD-2,{_customer},,NOPE,1,
            BAD-3,{_customer},,OI-A,0,
            BAD-4,C99999999,,OI-A,1,
            ,{_customer},,OI-A,1,
            OK-1,{_customer},,OI-B,1,
            BAD-5,{_customer},,OI-A,1,120
            """;

        var report = await ImportAsync(_rep, "orders", Csv(csv));

        var byRow = report.Errors.GroupBy(e => e.Row).ToDictionary(g => g.Key, g => g.First());
        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((2L, 9L - 2L)), Describe(report));
            Assert.That(byRow[3].Column, Is.EqualTo("currency"));
            Assert.That(byRow[3].Message, Does.Contain("'USD'").And.Contain("row 2"));
            Assert.That(byRow[2].Message, Does.Contain("see row 3"));
            Assert.That(byRow[5].Column, Is.EqualTo("sku"));
            Assert.That(byRow[6].Column, Is.EqualTo("quantity"));
            Assert.That(byRow[7].Column, Is.EqualTo("customerCode"));
            Assert.That(byRow[8].Column, Is.EqualTo("externalId"));
            Assert.That(byRow.ContainsKey(9), Is.False, "row 9 is OK-1's second line, wherever it is in the file");
            Assert.That(byRow[10].Column, Is.EqualTo("discount"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders WHERE external_id LIKE 'BAD-%'"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.order_lines l JOIN sales.orders o ON o.id = l.order_id WHERE o.external_id = 'OK-1'"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_confirmed_order_is_never_rewritten_by_an_import()
    {
        await ImportAsync(_rep, "orders", Csv($"externalId,customerCode,status,sku,quantity\nC-1,{_customer},confirmed,OI-A,1\n"));
        var version = await CountAsync("SELECT xmin::text::bigint FROM sales.orders WHERE external_id = 'C-1'");

        var same = await ImportAsync(_rep, "orders", Csv($"externalId,customerCode,status,sku,quantity,unitPrice\nC-1,{_customer},confirmed,OI-A,1,1000.00\n"));
        var different = await ImportAsync(_rep, "orders", Csv($"externalId,status,sku,quantity\nC-1,confirmed,OI-A,2\n"));
        var back = await ImportAsync(_rep, "orders", Csv($"externalId,status,sku,quantity\nC-1,draft,OI-A,1\n"));

        Assert.Multiple(async () =>
        {
            Assert.That((same.Unchanged, same.Rejected), Is.EqualTo((1L, 0L)), Describe(same));
            Assert.That(different.Errors.Single().Column, Is.EqualTo("quantity"));
            Assert.That(different.Errors.Single().Message, Does.Contain("confirmed").And.Contain("'1'").And.Contain("'2'"));
            Assert.That(back.Errors.Single().Column, Is.EqualTo("status"));
            Assert.That(await CountAsync("SELECT xmin::text::bigint FROM sales.orders WHERE external_id = 'C-1'"), Is.EqualTo(version));
        });
    }

    [Test]
    public async Task An_order_over_the_credit_limit_is_a_row_error_with_the_figures_unless_a_manager_overrides_with_a_reason_checked_at_submit()
    {
        // 5 units = 5,650.00 fits into 8,000.00; the next order of 3 units (3,390.00) then has 2,350.00 left.
        var csv = $"externalId,customerCode,status,sku,quantity\nCR-1,{_credit},confirmed,OI-A,5\nCR-2,{_credit},confirmed,OI-A,3\n";

        var rep = await ImportAsync(_rep, "orders", Csv(csv));
        var repOverride = await _rep.PostAsync("/api/v1/imports/orders?overrideCredit=true&overrideReason=" + Uri.EscapeDataString("我担保"), Csv(csv));
        var noReason = await _manager.PostAsync("/api/v1/imports/orders?overrideCredit=true", Csv(csv));
        var manager = await ImportAsync(_manager, "orders", Csv(csv), "overrideCredit=true&overrideReason=" + Uri.EscapeDataString("战略客户，总监同意"));

        Assert.Multiple(async () =>
        {
            Assert.That((rep.Created, rep.Rejected), Is.EqualTo((1L, 1L)), Describe(rep));
            Assert.That(rep.Errors.Single().Row, Is.EqualTo(3));
            Assert.That(rep.Errors.Single().Message, Does.Contain("3390.00").And.Contain("2350.00").And.Contain("credit limit 10000.00")
                .And.Contain("outstanding balance 2000.00").And.Contain("open orders 5650.00"));
            Assert.That((await ReadProblemAsync(repOverride, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), Does.Contain("sales:manage"));
            Assert.That((await ReadProblemAsync(noReason, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("overrideReason", out _), Is.True);
            Assert.That((manager.Created, manager.Unchanged, manager.Rejected), Is.EqualTo((1L, 1L, 0L)), Describe(manager));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM sales.orders WHERE external_id = 'CR-2' AND status = 'Confirmed' AND credit_override_by = '{_org.EastManager.Id}' AND credit_override_reason = '战略客户，总监同意'"),
                Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'order' AND changes::text LIKE '%战略客户，总监同意%'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_order_another_transaction_creates_at_the_same_time_is_a_row_error_while_the_rest_of_the_chunk_lands()
    {
        await ImportAsync(_rep, "orders", Csv($"externalId,customerCode,sku,quantity\nSEED-1,{_customer},OI-A,1\n"));
        var csv = $"externalId,customerCode,sku,quantity\nRACE-1,{_customer},OI-A,1\nRACE-1,,OI-B,2\nRACE-2,{_customer},OI-A,1\n";

        // The other writer: RACE-1 inserted and not yet committed when the import writes its chunk.
        var report = await WhileInsertedConcurrentlyAsync("""
            INSERT INTO sales.orders
            SELECT (jsonb_populate_record(o, jsonb_build_object('id', gen_random_uuid(), 'number', 'SO-RACE-1', 'external_id', 'RACE-1'))).*
              FROM sales.orders o WHERE external_id = 'SEED-1'
            """, "sales.orders", () => ImportAsync(_rep, "orders", Csv(csv)));

        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 2L)), Describe(report));
            Assert.That(report.Errors.Select(e => (e.Row, e.Column)), Is.EqualTo(new[] { (2, (string?)"externalId"), (3, null) }));
            Assert.That(report.Errors[0].Message, Does.Contain("at the same time").And.Contain("RACE-1"));
            Assert.That(report.Errors[1].Message, Does.Contain("see row 2"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders WHERE external_id = 'RACE-1' AND number = 'SO-RACE-1'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.order_lines l JOIN sales.orders o ON o.id = l.order_id WHERE o.external_id = 'RACE-1'"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.order_lines l JOIN sales.orders o ON o.id = l.order_id WHERE o.external_id = 'RACE-2'"), Is.EqualTo(1));
        });

        var again = await ImportAsync(_rep, "orders", Csv(csv));
        Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 2L, 1L, 0L)), Describe(again));
    }

    [Test]
    public async Task Placed_orders_land_on_the_customer_timeline()
    {
        await ImportAsync(_rep, "orders", Csv($"externalId,customerCode,status,sku,quantity\nTL-1,{_customer},confirmed,OI-A,1\nTL-2,{_customer},draft,OI-A,1\n"));
        await DispatchOutboxAsync();

        var timeline = await ReadAsync<TimelineTests.TimelinePage>(await _rep.GetAsync($"/api/v1/customers/{_customerId}/timeline?limit=50&kind=order"), HttpStatusCode.OK);

        var number = (await ListAsync()).Items.Single(o => o.ExternalId == "TL-1").Number;
        Assert.That(timeline.Items.Select(e => e.Summary), Is.EqualTo(new[] { $"Order {number} placed: 1,130.00 CNY" }));
    }

    [Test]
    public async Task Visibility_and_permissions_apply_to_imports()
    {
        using var southRep = Factory.ClientFor(_org.SouthRep);
        using var marketer = Factory.ClientFor(_org.Marketer);
        await ImportAsync(_rep, "orders", Csv($"externalId,customerCode,sku,quantity\nV-1,{_customer},OI-A,1\n"));

        var foreign = await ImportAsync(southRep, "orders", Csv($"externalId,customerCode,sku,quantity\nV-2,{_customer},OI-A,1\nV-1,,OI-A,2\n"));
        var forbidden = await marketer.PostAsync("/api/v1/imports/orders", Csv($"externalId,customerCode,sku,quantity\nV-3,{_customer},OI-A,1\n"));

        Assert.Multiple(() =>
        {
            Assert.That(foreign.Errors.Select(e => (e.Row, e.Column)), Is.EqualTo(new[] { (2, (string?)"customerCode"), (3, "externalId") }), Describe(foreign));
            Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task The_export_writes_one_row_per_line_in_the_import_shape_and_re_imports_as_all_unchanged()
    {
        await ImportAsync(_rep, "orders", Csv(TwoOrders()));
        await ImportAsync(_rep, "orders", Csv($"externalId,customerCode,sku,quantity,taxRate\nOTHER,{_credit},OI-A,1,6\n"));

        var csv = await ExportAsync(_rep, $"{OrdersUrl}/export?charset=gb18030&customerId={_customerId}", Gb18030);
        var ndjson = await ExportAsync(_rep, $"{OrdersUrl}/export?format=ndjson&status=confirmed");
        var all = await ExportAsync(_rep, $"{OrdersUrl}/export");
        using var southRep = Factory.ClientFor(_org.SouthRep);
        var hidden = await ExportAsync(southRep, $"{OrdersUrl}/export");

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines[0].TrimStart('\uFEFF'), Does.StartWith("externalId,customerCode,ownerEmail,currency,orderDate,status,sku,quantity,unitPrice,discount,taxRate,number"));
            Assert.That(lines, Has.Length.EqualTo(4), "three lines of two orders, the other customer's order filtered out");
            Assert.That(lines, Has.Some.Contains($"ERP-1,{_customer},{_org.EastRep.Email},CNY,2026-12-01,draft,OI-A,2.000,1000.00,0.00,13.00,SO-"));
            Assert.That(ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
            Assert.That(ndjson, Does.Contain("\"externalId\":\"ERP-2\""));
            Assert.That(hidden.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "only the header: nothing the south rep may see");
        });

        var again = await ImportAsync(_rep, "orders", Csv(csv, Gb18030));
        var whole = await ImportAsync(_rep, "orders", Csv(all));
        Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 0L, 3L, 0L)), Describe(again));
        Assert.That((whole.Unchanged, whole.Rejected), Is.EqualTo((4L, 0L)), Describe(whole));
    }

    private async Task<Page<OrderSummaryResponse>> ListAsync() =>
        await ReadAsync<Page<OrderSummaryResponse>>(await _rep.GetAsync($"{OrdersUrl}?customerId={_customerId}&sort=createdAt"), HttpStatusCode.OK);
}
