using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Integration.Features.Imports;
using Crm.Modules.Sales.Features.Contracts;
using Crm.Modules.Sales.Features.Payments;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

/// <summary><c>POST /api/v1/imports/receipts</c>: receipts from ERP files, checked like the receipt API, booked once.</summary>
internal sealed class ReceiptImportTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _rep = null!;
    private Guid _customerId;
    private ContractResponse _contract = null!;

    [SetUp]
    public async Task CreateSignedContractAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        _customerId = await CustomerOfAsync(Factory, _org.EastRep, "苏州精密机械有限公司");
        _contract = await SignedContractAsync(_rep, _customerId, 100_000m);
        await ReadAsync<ContractResponse>(await _rep.PatchAsync($"/api/v1/sales/contracts/{_contract.Id}", JsonBody(new { externalId = "ERP-HT-1" })), HttpStatusCode.OK);
        await AddInstalmentAsync(_contract.Id, new DateOnly(2026, 12, 15), 40_000m);
        await AddInstalmentAsync(_contract.Id, new DateOnly(2027, 3, 15), 60_000m);
    }

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private async Task AddInstalmentAsync(Guid contractId, DateOnly dueDate, decimal amount) =>
        await ReadAsync<InstalmentResponse>(await _rep.PostAsync($"/api/v1/sales/contracts/{contractId}/instalments", JsonBody(new { dueDate, amount })), HttpStatusCode.Created);

    private string ErpCsv() => $"""
        回款编号,合同编号,合同外部编号,期次,回款金额,回款日期,付款方式,银行流水号
        HK-1,{_contract.Number},,1,30000.00,2026-11-20,银行转账,B-001
        HK-2,{_contract.Number},,,20000,2026-11-21,现金,
        HK-3,,ERP-HT-1,,5000.50,2026-11-22,online,
        """;

    private async Task<decimal> BalanceAsync()
    {
        await DispatchOutboxAsync();
        return (await ReadAsync<CustomerResponse>(await _rep.GetAsync($"/api/v1/customers/{_customerId}"), HttpStatusCode.OK)).OutstandingBalance;
    }

    private static string Describe(ImportReport report) => string.Join("; ", report.Errors.Select(e => $"{e.Row} {e.Column}: {e.Message}"));

    [Test]
    public async Task A_gb18030_file_with_chinese_headers_records_the_receipts_fills_the_plan_and_moves_the_balance_once()
    {
        var report = await ImportAsync(_rep, "receipts", Csv(ErpCsv(), Gb18030));

        Assert.That((report.Status, report.Created, report.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 3L, 0L)), Describe(report));
        var instalments = await ReadAsync<List<InstalmentResponse>>(await _rep.GetAsync($"/api/v1/sales/contracts/{_contract.Id}/instalments"), HttpStatusCode.OK);
        var contract = await ReadAsync<ContractResponse>(await _rep.GetAsync($"/api/v1/sales/contracts/{_contract.Id}"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(contract.ReceivedAmount, Is.EqualTo(55_000.50m));
            Assert.That(instalments.Select(i => i.PaidAmount), Is.EqualTo(new[] { 40_000m, 15_000.50m }), "HK-1 on instalment 1, the others oldest due first");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.payment_receipts WHERE method = 'Cash' AND reference IS NULL AND external_id = 'HK-2'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.payment_receipts WHERE owner_id = '{_org.EastRep.Id}' AND customer_id = '{_customerId}'"), Is.EqualTo(3));
            Assert.That(await BalanceAsync(), Is.EqualTo(44_999.50m));
        });

        var again = await ImportAsync(_rep, "receipts", Csv(ErpCsv(), Gb18030));
        Assert.Multiple(async () =>
        {
            Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 0L, 3L, 0L)), Describe(again));
            Assert.That(await BalanceAsync(), Is.EqualTo(44_999.50m), "the balance moved exactly once");
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.balance_ledger WHERE customer_id = '{_customerId}'"), Is.EqualTo(4), "signed + three receipts");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%PaymentReceived%'"), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task A_receipt_another_transaction_records_at_the_same_time_is_a_row_error_and_the_balances_hold_only_what_landed()
    {
        var other = await SignedContractAsync(_rep, _customerId, 50_000m);
        await ImportAsync(_rep, "receipts", Csv($"externalId,contractNumber,amount,receivedDate,method\nHK-SEED,{other.Number},1000,2026-11-19,cash\n"));
        var csv = $"""
            externalId,contractNumber,instalmentSequence,amount,receivedDate,method
            HK-1,{_contract.Number},1,30000.00,2026-11-20,bankTransfer
            HK-2,{_contract.Number},,20000,2026-11-21,cash
            HK-3,{_contract.Number},,5000.50,2026-11-22,online
            """;

        // The ERP records HK-2 on the other contract through another request while the chunk is written.
        var report = await WhileInsertedConcurrentlyAsync("""
            INSERT INTO sales.payment_receipts
            SELECT (jsonb_populate_record(r, jsonb_build_object('id', gen_random_uuid(), 'external_id', 'HK-2'))).*
              FROM sales.payment_receipts r WHERE external_id = 'HK-SEED'
            """, "sales.payment_receipts", () => ImportAsync(_rep, "receipts", Csv(csv)));

        var instalments = await ReadAsync<List<InstalmentResponse>>(await _rep.GetAsync($"/api/v1/sales/contracts/{_contract.Id}/instalments"), HttpStatusCode.OK);
        var contract = await ReadAsync<ContractResponse>(await _rep.GetAsync($"/api/v1/sales/contracts/{_contract.Id}"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((2L, 1L)), Describe(report));
            Assert.That(report.Errors.Single().Row, Is.EqualTo(3));
            Assert.That(report.Errors.Single().Column, Is.EqualTo("externalId"));
            Assert.That(report.Errors.Single().Message, Does.Contain("at the same time"));
            Assert.That(contract.ReceivedAmount, Is.EqualTo(35_000.50m));
            Assert.That(instalments.Select(i => i.PaidAmount), Is.EqualTo(new[] { 35_000.50m, 0m }), "HK-3 fills instalment 1 as if HK-2 were not in the file");
            Assert.That(await CountAsync($"""
                SELECT count(*) FROM sales.payment_receipts r
                 WHERE r.contract_id = '{_contract.Id}' AND r.amount <> (SELECT coalesce(sum(a.amount), 0) FROM sales.payment_allocations a WHERE a.receipt_id = r.id)
                """), Is.EqualTo(0), "every landed receipt is allocated in full");
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.payment_receipts WHERE contract_id = '{_contract.Id}'"), Is.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%PaymentReceived%' AND payload->>'contractId' = '{_contract.Id}'"),
                Is.EqualTo(2), "no event for HK-2");
            Assert.That(await BalanceAsync(), Is.EqualTo(150_000m - 1_000m - 35_000.50m));
        });

        var again = await ImportAsync(_rep, "receipts", Csv(csv));
        Assert.That((again.Created, again.Unchanged, again.Rejected), Is.EqualTo((0L, 2L, 1L)), "HK-2 is now the other contract's receipt: " + Describe(again));
    }

    [Test]
    public async Task Re_running_changes_no_row_and_a_receipt_that_differs_from_the_recorded_one_is_a_row_error()
    {
        await ImportAsync(_rep, "receipts", Csv(ErpCsv()));
        var versions = await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.contracts");

        var again = await ImportAsync(_rep, "receipts", Csv(ErpCsv()));
        var changed = await ImportAsync(_rep, "receipts", Csv($"回款编号,合同编号,回款金额,回款日期,付款方式\nHK-1,{_contract.Number},31000,2026-11-20,银行转账\nHK-2,{_contract.Number},20000.00,2026-11-21,cash\n"));
        var created = await ImportAsync(_rep, "receipts", Csv($"externalId,contractNumber,amount,receivedDate,method\nHK-3,{_contract.Number},5000.50,2026-11-22,online\n"), "mode=create");

        Assert.Multiple(async () =>
        {
            Assert.That((again.Created, again.Unchanged), Is.EqualTo((0L, 3L)));
            Assert.That(await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.contracts"), Is.EqualTo(versions), "no contract was rewritten");
            Assert.That((changed.Unchanged, changed.Rejected), Is.EqualTo((1L, 1L)), Describe(changed));
            Assert.That(changed.Errors.Single().Row, Is.EqualTo(2));
            Assert.That(changed.Errors.Single().Column, Is.EqualTo("回款金额"), "the column as the file names it");
            Assert.That(changed.Errors.Single().Message, Does.Contain("30000.00").And.Contain("31000.00").And.Contain("reverse"));
            Assert.That(created.Errors.Single().Message, Does.Contain("already recorded"));
            Assert.That(await CountAsync($"SELECT received_amount FROM sales.contracts WHERE id = '{_contract.Id}'"), Is.EqualTo(55_000));
        });
    }

    [Test]
    public async Task Rows_are_checked_like_the_receipt_api_with_running_totals_and_rejected_with_their_line_and_column()
    {
        var (draft, _) = await CreateContractAsync(_rep, _customerId, 1_000m);
        var csv = $"""
            externalId,contractNumber,instalmentSequence,amount,receivedDate,method
            OK-1,{_contract.Number},,60000,2026-11-20,bankTransfer
            ZERO,{_contract.Number},,0,2026-11-20,bankTransfer
            OVER,{_contract.Number},,50000,2026-11-20,bankTransfer
            NOPE,HT99999999,,10,2026-11-20,bankTransfer
            DRAFT,{draft.Number},,10,2026-11-20,bankTransfer
            INST,{_contract.Number},9,10,2026-11-20,bankTransfer
            ,{_contract.Number},,10,2026-11-20,bankTransfer
            OK-1,{_contract.Number},,10,2026-11-20,bankTransfer
            DATE,{_contract.Number},,10,20.11.2026,bankTransfer
            FUTURE,{_contract.Number},,10,2099-01-01,bankTransfer
            METHOD,{_contract.Number},,10,2026-11-20,barter
            CENTS,{_contract.Number},,10.001,2026-11-20,cash
            NOCONTRACT,,,10,2026-11-20,cash
            """;

        var report = await ImportAsync(_rep, "receipts", Csv(csv));

        var errors = report.Errors.Select(e => (e.Row, e.Column)).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 12L)), Describe(report));
            Assert.That(errors, Does.Contain((3, (string?)"amount")));
            Assert.That(errors, Does.Contain((4, (string?)"amount")), "60000 of 100000 already received by row 2");
            Assert.That(errors, Does.Contain((5, (string?)"contractNumber")));
            Assert.That(errors, Does.Contain((6, (string?)"contractNumber")), "a draft takes no payment");
            Assert.That(errors, Does.Contain((7, (string?)"instalmentSequence")));
            Assert.That(errors, Does.Contain((8, (string?)"externalId")), "the match key is required");
            Assert.That(errors, Does.Contain((9, (string?)"externalId")), "a duplicate of row 2");
            Assert.That(errors, Does.Contain((10, (string?)"receivedDate")));
            Assert.That(errors, Does.Contain((11, (string?)"receivedDate")));
            Assert.That(errors, Does.Contain((12, (string?)"method")));
            Assert.That(errors, Does.Contain((13, (string?)"amount")));
            Assert.That(errors, Does.Contain((14, (string?)"contractNumber")));
            Assert.That(await CountAsync($"SELECT received_amount FROM sales.contracts WHERE id = '{_contract.Id}'"), Is.EqualTo(60_000));
        });
    }

    [Test]
    public async Task A_dry_run_reports_the_same_and_changes_nothing()
    {
        var report = await ImportAsync(_rep, "receipts", Csv(ErpCsv()), "dryRun=true");

        Assert.Multiple(async () =>
        {
            Assert.That((report.DryRun, report.Created, report.Rejected), Is.EqualTo((true, 3L, 0L)), Describe(report));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.payment_receipts"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.payment_allocations"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%PaymentReceived%'"), Is.EqualTo(0));
            Assert.That(await CountAsync($"SELECT received_amount FROM sales.contracts WHERE id = '{_contract.Id}'"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task Ndjson_and_json_array_bodies_import_too()
    {
        var ndjson = await ImportAsync(_rep, "receipts", Body(
            $"{{\"externalId\":\"N-1\",\"contractNumber\":\"{_contract.Number}\",\"amount\":\"100.00\",\"receivedDate\":\"2026-11-20\",\"method\":\"cheque\",\"reference\":\"ZP-9\"}}\n",
            "application/x-ndjson"));
        var json = await ImportAsync(_rep, "receipts", Body(
            """[{"externalId":"J-1","contractExternalId":"ERP-HT-1","amount":"200","receivedDate":"2026-11-21","method":"支票"}]""", "application/json"));

        Assert.Multiple(async () =>
        {
            Assert.That((ndjson.Created, json.Created), Is.EqualTo((1L, 1L)), Describe(ndjson) + Describe(json));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.payment_receipts WHERE method = 'Cheque'"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Contracts_follow_visibility_and_importing_receipts_needs_sales_write()
    {
        using var south = Factory.ClientFor(_org.SouthRep);
        using var manager = Factory.ClientFor(_org.Manager);
        using var marketer = Factory.ClientFor(_org.Marketer);
        var file = $"externalId,contractNumber,amount,receivedDate,method\nV-1,{_contract.Number},10,2026-11-20,cash\n";

        var hidden = await ImportAsync(south, "receipts", Csv(file));
        var forbidden = await marketer.PostAsync("/api/v1/imports/receipts", Csv(file));
        var managed = await ImportAsync(manager, "receipts", Csv(file));

        Assert.Multiple(async () =>
        {
            Assert.That(hidden.Errors.Single().Message, Does.Contain("No contract you may see"));
            await ReadProblemAsync(forbidden, HttpStatusCode.Forbidden);
            Assert.That(managed.Created, Is.EqualTo(1), Describe(managed));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.payment_receipts WHERE owner_id = '{_org.EastRep.Id}'"), Is.EqualTo(1), "attributed to the contract owner");
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_jobs WHERE entity = 'receipts'"), Is.EqualTo(2), "no job for the refused import");
        });
    }
}
