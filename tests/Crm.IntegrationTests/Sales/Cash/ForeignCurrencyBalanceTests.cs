using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Balance;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Sales.Features.Contracts;
using Crm.Modules.Sales.Features.ExchangeRates;
using Crm.Modules.Sales.Features.Payments;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

/// <summary>The customer's CNY balance from USD contracts and receipts, converted at the rates effective on their days.</summary>
internal sealed class ForeignCurrencyBalanceTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _rep = null!;
    private Guid _customerId;

    [SetUp]
    public async Task CreateCustomerAndRatesAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        _customerId = await CustomerOfAsync(Factory, _org.EastRep, "深圳外贸有限公司");
        using var admin = Factory.ClientFor(_org.Admin);
        await ReadAsync<ExchangeRateResponse>(await admin.SendAsync(ExchangeRateTests.Put("USD", "2026-11-01", new { rate = 7.0m, source = "PBOC" })), HttpStatusCode.Created);
        await ReadAsync<ExchangeRateResponse>(await admin.SendAsync(ExchangeRateTests.Put("USD", "2026-11-22", new { rate = 7.25m, source = "PBOC" })), HttpStatusCode.Created);
    }

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private async Task<ContractResponse> UsdDraftAsync(decimal amount)
    {
        var body = new { customerId = _customerId, title = "出口设备合同", amount, currency = "USD", startDate = new DateOnly(2026, 12, 1), endDate = new DateOnly(2027, 11, 30) };
        return await ReadAsync<ContractResponse>(await _rep.PostAsync("/api/v1/sales/contracts", JsonBody(body)), HttpStatusCode.Created);
    }

    private Task<HttpResponseMessage> SignAsync(Guid contractId, DateOnly signedDate) => _rep.SendAsync(Sign(contractId, null, signedDate));

    private async Task<ContractResponse> SignedUsdAsync(decimal amount)
    {
        var draft = await UsdDraftAsync(amount);
        return await ReadAsync<ContractResponse>(await SignAsync(draft.Id, new DateOnly(2026, 11, 20)), HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> PayAsync(Guid contractId, decimal amount, DateOnly receivedDate) =>
        _rep.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId, amount, receivedDate, method = "bankTransfer" }));

    private async Task ReverseAsync(Guid receiptId, string reason) =>
        await ReadAsync<ReceiptResponse>(await _rep.PostAsync($"/api/v1/sales/receipts/{receiptId}/reverse", JsonBody(new { reason })), HttpStatusCode.OK);

    private async Task TerminateAsync(Guid contractId, string reason) =>
        await ReadAsync<ContractResponse>(
            await _rep.PostAsync($"/api/v1/sales/contracts/{contractId}/terminate", JsonBody(new { reason, terminatedDate = new DateOnly(2026, 11, 22) })), HttpStatusCode.OK);

    private async Task<decimal> BalanceAsync()
    {
        await DispatchOutboxAsync();
        return (await ReadAsync<CustomerResponse>(await _rep.GetAsync($"/api/v1/customers/{_customerId}"), HttpStatusCode.OK)).OutstandingBalance;
    }

    private async Task<IReadOnlyList<BalanceLedgerEntryResponse>> LedgerAsync() =>
        (await ReadAsync<Page<BalanceLedgerEntryResponse>>(await _rep.GetAsync($"/api/v1/customers/{_customerId}/balance-ledger?sort=appliedAt"), HttpStatusCode.OK)).Items;

    [Test]
    public async Task A_usd_contract_and_its_receipts_move_the_cny_balance_at_the_rates_of_their_days()
    {
        var contract = await SignedUsdAsync(10_000m);
        Assert.That(contract.CnyRate, Is.EqualTo(7.0m), "the rate effective on the signed date (dated 11-01)");
        Assert.That(await BalanceAsync(), Is.EqualTo(70_000m));

        // 4,000.33 × 7.25 = 29,002.3925: rounded to the fen.
        var receipt = await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, 4_000.33m, new DateOnly(2026, 11, 22)), HttpStatusCode.Created);
        Assert.That((receipt.CnyRate, receipt.BalanceAmount), Is.EqualTo((7.25m, 29_002.39m)));
        Assert.That(await BalanceAsync(), Is.EqualTo(40_997.61m));

        // A rate replaced later does not change what was booked: the reversal puts back exactly what the receipt took off.
        using (var admin = Factory.ClientFor(_org.Admin))
        {
            await ReadAsync<ExchangeRateResponse>(await admin.SendAsync(ExchangeRateTests.Put("USD", "2026-11-22", new { rate = 7.5m, source = "corrected" })), HttpStatusCode.OK);
        }

        await ReverseAsync(receipt.Id, "银行退回");
        Assert.That(await BalanceAsync(), Is.EqualTo(70_000m));

        await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, 2_000m, new DateOnly(2026, 11, 22)), HttpStatusCode.Created);
        Assert.That(await BalanceAsync(), Is.EqualTo(55_000m), "2,000 × 7.5");

        // The 8,000 USD unpaid is written off at the signing rate; the exchange difference on the received 2,000 USD
        // (15,000 at 7.5 against 14,000 at 7.0) is booked with the termination, so the contract leaves nothing behind.
        await TerminateAsync(contract.Id, "客户破产");
        Assert.That(await BalanceAsync(), Is.EqualTo(0m), "70,000 − 15,000 − 56,000 + 1,000");

        var ledger = await LedgerAsync();
        Assert.Multiple(() =>
        {
            // The difference is applied at the same instant as the event that settled the contract: their order is not asserted.
            Assert.That(ledger.Select(e => e.Kind), Is.EquivalentTo(new[] { "contractSigned", "paymentReceived", "paymentReversed", "paymentReceived", "contractTerminated", "exchangeDifference" }));
            Assert.That(ledger.Select(e => e.Amount), Is.EquivalentTo(new[] { 70_000m, -29_002.39m, 29_002.39m, -15_000m, -56_000m, 1_000m }));
            Assert.That(ledger.Select(e => e.OriginalAmount), Is.EquivalentTo(new decimal?[] { 10_000m, 4_000.33m, 4_000.33m, 2_000m, 8_000m, 10_000m }));
            Assert.That(ledger.Select(e => e.OriginalCurrency).Distinct(), Is.EqualTo(new[] { "USD" }));
            Assert.That(ledger.Select(e => e.Currency).Distinct(), Is.EqualTo(new[] { "CNY" }));
            Assert.That(ledger[^1].BalanceAfter, Is.EqualTo(0m));
        });
    }

    [Test]
    public async Task A_usd_contract_paid_in_full_at_two_rates_books_the_exchange_difference_and_a_reversal_takes_it_back()
    {
        using (var admin = Factory.ClientFor(_org.Admin))
        {
            await ReadAsync<ExchangeRateResponse>(await admin.SendAsync(ExchangeRateTests.Put("USD", "2026-11-21", new { rate = 7.1m, source = "PBOC" })), HttpStatusCode.Created);
        }

        var contract = await SignedUsdAsync(10_000m);
        await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, 4_000.33m, new DateOnly(2026, 11, 22)), HttpStatusCode.Created);
        Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%ExchangeDifferenceBooked'"), Is.Zero, "not fully paid yet");

        // 5,999.67 × 7.1 = 42,597.657 → 42,597.66; with 29,002.39 that is 71,600.05 taken off for 70,000 owed.
        var last = await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, 5_999.67m, new DateOnly(2026, 11, 21)), HttpStatusCode.Created);
        Assert.That(await BalanceAsync(), Is.EqualTo(0m));
        var ledger = await LedgerAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(ledger.Select(e => e.Kind), Is.EquivalentTo(new[] { "contractSigned", "paymentReceived", "paymentReceived", "exchangeDifference" }));
            var difference = ledger.Single(e => e.Kind == "exchangeDifference");
            Assert.That((difference.Amount, difference.ContractId, difference.OriginalAmount, difference.OriginalCurrency, ledger[^1].BalanceAfter),
                Is.EqualTo((1_600.05m, (Guid?)contract.Id, (decimal?)10_000m, "USD", 0m)));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.contracts WHERE id = '{contract.Id}' AND exchange_difference = 1600.05"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.timeline_entries WHERE customer_id = '{_customerId}' AND summary LIKE 'Exchange difference on contract%+1,600.05 CNY'"), Is.EqualTo(1));
        });

        // Redelivered events book nothing twice.
        var redelivered = await CountAsync(
            "WITH d AS (DELETE FROM sales.outbox_deliveries RETURNING 1), m AS (UPDATE sales.outbox_messages SET processed_at = NULL, next_attempt_at = occurred_at RETURNING 1) SELECT count(*) FROM m");
        Assert.That(redelivered, Is.GreaterThanOrEqualTo(4));
        Assert.That(await BalanceAsync(), Is.EqualTo(0m));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE processed_at IS NULL"), Is.Zero, "delivered again");
        Assert.That(await CountAsync("SELECT count(*) FROM customers.balance_ledger WHERE kind = 'exchangeDifference'"), Is.EqualTo(1));

        // Reversing the last receipt makes 5,999.67 USD owed again: its 42,597.66 comes back and the difference goes.
        await ReverseAsync(last.Id, "银行退回");
        Assert.That(await BalanceAsync(), Is.EqualTo(40_997.61m), "70,000 − 29,002.39: the contract at its own rates again");
        ledger = await LedgerAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(ledger.Where(e => e.Kind == "exchangeDifference").Select(e => e.Amount), Is.EqualTo(new[] { 1_600.05m, -1_600.05m }));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.contracts WHERE id = '{contract.Id}' AND exchange_difference = 0"), Is.EqualTo(1));
        });

        // Paid in full again at 7.25: 43,497.61 + 29,002.39 = 72,500.00 for 70,000, a difference of 2,500.00.
        await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, 5_999.67m, new DateOnly(2026, 11, 22)), HttpStatusCode.Created);
        Assert.That(await BalanceAsync(), Is.EqualTo(0m));
        Assert.That((await LedgerAsync()).Where(e => e.Kind == "exchangeDifference").Select(e => e.Amount), Is.EquivalentTo(new[] { 1_600.05m, -1_600.05m, 2_500m }));
    }

    [Test]
    public async Task A_terminated_contract_closes_its_difference_and_a_later_reversal_takes_it_back()
    {
        var contract = await SignedUsdAsync(10_000m);
        var receipt = await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, 4_000m, new DateOnly(2026, 11, 22)), HttpStatusCode.Created);
        await TerminateAsync(contract.Id, "提前终止");

        // 70,000 − 29,000 (4,000 × 7.25) − 42,000 (6,000 written off × 7.0) = −1,000: the difference is +1,000.
        Assert.That(await BalanceAsync(), Is.EqualTo(0m));

        await ReverseAsync(receipt.Id, "退票");
        Assert.Multiple(async () =>
        {
            Assert.That(await BalanceAsync(), Is.EqualTo(28_000m), "the 4,000 USD are owed again, at the signing rate like the rest of the contract");
            Assert.That((await LedgerAsync()).Where(e => e.Kind == "exchangeDifference").Select(e => e.Amount), Is.EqualTo(new[] { 1_000m, -1_000m }));
        });
    }

    [Test]
    public async Task A_cny_contract_paid_in_full_never_books_an_exchange_difference()
    {
        var contract = await SignedContractAsync(_rep, _customerId, 1_000m);
        await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, 400m, new DateOnly(2026, 11, 1)), HttpStatusCode.Created);
        var last = await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, 600m, new DateOnly(2026, 11, 22)), HttpStatusCode.Created);
        await ReverseAsync(last.Id, "退回");
        await TerminateAsync(contract.Id, "终止");

        Assert.Multiple(async () =>
        {
            Assert.That(await BalanceAsync(), Is.EqualTo(0m));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%ExchangeDifferenceBooked'"), Is.Zero);
            Assert.That(await CountAsync("SELECT count(*) FROM customers.balance_ledger WHERE kind = 'exchangeDifference'"), Is.Zero);
        });
    }

    [Test]
    public async Task A_receipt_import_that_pays_a_usd_contract_in_full_books_the_difference_once()
    {
        var contract = await SignedUsdAsync(1_000m);
        var csv = $"""
            externalId,contractNumber,amount,receivedDate,method
            FXD-1,{contract.Number},600,2026-11-22,bankTransfer
            FXD-2,{contract.Number},400,2026-11-21,bankTransfer
            """;
        var report = await ImportAsync(_rep, "receipts", Csv(csv));
        var again = await ImportAsync(_rep, "receipts", Csv(csv), "mode=upsert");

        Assert.Multiple(async () =>
        {
            Assert.That((report.Status, report.Created), Is.EqualTo((ImportJobStatus.Succeeded, 2L)));
            Assert.That((again.Created, again.Unchanged), Is.EqualTo((0L, 2L)));
            Assert.That(await BalanceAsync(), Is.EqualTo(0m), "7,000 − 4,350 − 2,800 + 150");
            Assert.That((await LedgerAsync()).Where(e => e.Kind == "exchangeDifference").Select(e => e.Amount), Is.EqualTo(new[] { 150m }));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.contracts WHERE id = '{contract.Id}' AND exchange_difference = 150"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Signing_or_paying_without_an_effective_rate_is_422_naming_currency_and_date_and_changes_nothing()
    {
        var draft = await UsdDraftAsync(5_000m);
        var unsigned = await SignAsync(draft.Id, new DateOnly(2026, 10, 31));
        var problem = await ReadProblemAsync(unsigned, HttpStatusCode.UnprocessableEntity);
        Assert.Multiple(async () =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("exchange-rate-missing"));
            Assert.That((problem.GetProperty("currency").GetString(), problem.GetProperty("date").GetString()), Is.EqualTo(("USD", "2026-10-31")));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("USD").And.Contain("2026-10-31"));
            Assert.That((await ReadAsync<ContractResponse>(await _rep.GetAsync($"/api/v1/sales/contracts/{draft.Id}"), HttpStatusCode.OK)).Status.ToString(), Is.EqualTo("Draft"));
        });

        var contract = await ReadAsync<ContractResponse>(await SignAsync(draft.Id, new DateOnly(2026, 11, 1)), HttpStatusCode.OK);
        var unpaid = await PayAsync(contract.Id, 100m, new DateOnly(2026, 10, 15));
        var paymentProblem = await ReadProblemAsync(unpaid, HttpStatusCode.UnprocessableEntity);
        Assert.Multiple(async () =>
        {
            Assert.That(paymentProblem.GetProperty("type").GetString(), Does.EndWith("exchange-rate-missing"));
            Assert.That(paymentProblem.GetProperty("date").GetString(), Is.EqualTo("2026-10-15"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.payment_receipts"), Is.Zero);
            Assert.That(await BalanceAsync(), Is.EqualTo(35_000m));
        });
    }

    [Test]
    public async Task A_cny_contract_needs_no_rate_and_moves_the_balance_by_its_amount()
    {
        var contract = await SignedContractAsync(_rep, _customerId, 12_345.67m);
        var receipt = await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, 345.67m, new DateOnly(2026, 10, 1)), HttpStatusCode.Created);
        Assert.Multiple(async () =>
        {
            Assert.That(contract.CnyRate, Is.EqualTo(1m));
            Assert.That((receipt.CnyRate, receipt.BalanceAmount), Is.EqualTo((1m, 345.67m)));
            Assert.That(await BalanceAsync(), Is.EqualTo(12_000m));
        });
    }

    [Test]
    public async Task An_event_written_before_exchange_rates_applies_its_nominal_amount()
    {
        await SignedUsdAsync(10_000m);

        // What an outbox message written by the previous version looks like: no balanceAmount member.
        var stripped = await CountAsync(
            "WITH m AS (UPDATE sales.outbox_messages SET payload = payload - 'balanceAmount' WHERE type LIKE '%ContractSigned%' AND payload ? 'balanceAmount' RETURNING 1) SELECT count(*) FROM m");
        Assert.That(stripped, Is.EqualTo(1));

        Assert.That(await BalanceAsync(), Is.EqualTo(10_000m));
        var entry = (await LedgerAsync()).Single();
        Assert.That((entry.Amount, entry.OriginalAmount, entry.OriginalCurrency), Is.EqualTo((10_000m, (decimal?)10_000m, "USD")));
    }

    [Test]
    public async Task A_receipt_import_row_without_an_effective_rate_is_a_row_error_and_the_others_convert()
    {
        var contract = await SignedUsdAsync(10_000m);
        var csv = $"""
            externalId,contractNumber,amount,receivedDate,method
            FX-1,{contract.Number},1000,2026-11-22,bankTransfer
            FX-2,{contract.Number},500,2026-10-20,bankTransfer
            FX-3,{contract.Number},100,2026-11-21,bankTransfer
            """;
        var report = await ImportAsync(_rep, "receipts", Csv(csv));
        Assert.Multiple(async () =>
        {
            Assert.That((report.Status, report.Created, report.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 2L, 1L)));
            var error = report.Errors.Single();
            Assert.That((error.Row, error.Column), Is.EqualTo((3, "receivedDate")));
            Assert.That(error.Message, Does.Contain("USD").And.Contain("2026-10-20"));
            Assert.That(await BalanceAsync(), Is.EqualTo(70_000m - 7_250m - 700m), "1,000 × 7.25 and 100 × 7.0");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.payment_receipts WHERE external_id = 'FX-1' AND cny_rate = 7.25"), Is.EqualTo(1));
        });
    }
}
