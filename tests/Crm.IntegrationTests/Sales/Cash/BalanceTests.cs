using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Sales.Features.Payments;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

internal sealed class BalanceTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _rep = null!;
    private Guid _customerId;

    [SetUp]
    public async Task CreateCustomerAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        _customerId = await CustomerOfAsync(Factory, _org.EastRep, "厦门进出口有限公司");
    }

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private async Task<decimal> BalanceAsync()
    {
        await DispatchOutboxAsync();
        return (await ReadAsync<CustomerResponse>(await _rep.GetAsync($"/api/v1/customers/{_customerId}"), HttpStatusCode.OK)).OutstandingBalance;
    }

    private async Task<ReceiptResponse> PayAsync(Guid contractId, decimal amount) =>
        await ReadAsync<ReceiptResponse>(
            await _rep.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId, amount, receivedDate = new DateOnly(2026, 11, 22), method = "bankTransfer" })),
            HttpStatusCode.Created);

    [Test]
    public async Task Signing_adds_the_amount_a_receipt_takes_it_off_and_a_reversal_puts_it_back()
    {
        var (draft, _) = await CreateContractAsync(_rep, _customerId, 80_000m);
        Assert.That(await BalanceAsync(), Is.EqualTo(0m), "a draft is not owed");

        var contract = await SignedContractAsync(_rep, _customerId, 120_000m);
        Assert.That(await BalanceAsync(), Is.EqualTo(120_000m));

        var receipt = await PayAsync(contract.Id, 45_000.50m);
        Assert.That(await BalanceAsync(), Is.EqualTo(74_999.50m));

        var reverse = await _rep.PostAsync($"/api/v1/sales/receipts/{receipt.Id}/reverse", JsonBody(new { reason = "银行退回" }));
        await ReadAsync<ReceiptResponse>(reverse, HttpStatusCode.OK);
        Assert.That(await BalanceAsync(), Is.EqualTo(120_000m));
        Assert.That(draft.Id, Is.Not.EqualTo(contract.Id));
    }

    [Test]
    public async Task Events_delivered_a_second_time_change_nothing()
    {
        var contract = await SignedContractAsync(_rep, _customerId, 50_000m);
        var receipt = await PayAsync(contract.Id, 20_000m);
        await ReadAsync<ReceiptResponse>(
            await _rep.PostAsync($"/api/v1/sales/receipts/{receipt.Id}/reverse", JsonBody(new { reason = "重复入账" })), HttpStatusCode.OK);
        await PayAsync(contract.Id, 10_000m);
        Assert.That(await BalanceAsync(), Is.EqualTo(40_000m));

        // What a crash between a consumer's commit and its delivery record looks like: every message is due again for every consumer.
        var redelivered = await CountAsync(
            "WITH d AS (DELETE FROM sales.outbox_deliveries RETURNING 1), m AS (UPDATE sales.outbox_messages SET processed_at = NULL, next_attempt_at = occurred_at RETURNING 1) SELECT count(*) FROM m");
        Assert.That(redelivered, Is.EqualTo(4));

        Assert.Multiple(async () =>
        {
            Assert.That(await BalanceAsync(), Is.EqualTo(40_000m));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE processed_at IS NULL"), Is.EqualTo(0), "delivered again");
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.balance_ledger WHERE customer_id = '{_customerId}'"), Is.EqualTo(4));
        });
    }

    [Test]
    public async Task Contract_and_payment_events_land_on_the_customer_timeline()
    {
        var contract = await SignedContractAsync(_rep, _customerId, 9_000m);
        var receipt = await PayAsync(contract.Id, 3_000m);
        await ReadAsync<ReceiptResponse>(
            await _rep.PostAsync($"/api/v1/sales/receipts/{receipt.Id}/reverse", JsonBody(new { reason = "退票" })), HttpStatusCode.OK);
        await DispatchOutboxAsync();

        var timeline = await ReadAsync<TimelineTests.TimelinePage>(
            await _rep.GetAsync($"/api/v1/customers/{_customerId}/timeline?limit=50"), HttpStatusCode.OK);
        var sales = timeline.Items.Where(e => e.Kind is "contract" or "payment").Select(e => e.Summary).ToArray();
        Assert.That(sales, Is.EquivalentTo(new[]
        {
            $"Contract {contract.Number} signed: 9,000.00 CNY",
            "Payment received: 3,000.00 CNY on 2026-11-22",
            "Payment reversed: 3,000.00 CNY (退票)",
        }));
    }
}
