using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Contracts;
using Crm.Modules.Sales.Features.Payments;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

internal sealed class PaymentTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _rep = null!;
    private ContractResponse _contract = null!;

    [SetUp]
    public async Task CreateSignedContractAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        var customerId = await CustomerOfAsync(Factory, _org.EastRep, "宁波制造有限公司");
        _contract = await SignedContractAsync(_rep, customerId, 100_000m);
    }

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private async Task<InstalmentResponse> AddInstalmentAsync(DateOnly dueDate, decimal amount) =>
        await ReadAsync<InstalmentResponse>(
            await _rep.PostAsync($"/api/v1/sales/contracts/{_contract.Id}/instalments", JsonBody(new { dueDate, amount })), HttpStatusCode.Created);

    private Task<HttpResponseMessage> PayAsync(object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sales/receipts") { Content = JsonBody(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return _rep.SendAsync(request);
    }

    private static HttpRequestMessage Reverse(Guid receiptId, string? reason, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sales/receipts/{receiptId}/reverse") { Content = JsonBody(new { reason }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    private async Task<InstalmentResponse[]> PlanAsync() =>
        [.. await ReadAsync<InstalmentResponse[]>(await _rep.GetAsync($"/api/v1/sales/contracts/{_contract.Id}/instalments"), HttpStatusCode.OK)];

    private async Task<ContractResponse> ContractAsync() =>
        await ReadAsync<ContractResponse>(await _rep.GetAsync($"/api/v1/sales/contracts/{_contract.Id}"), HttpStatusCode.OK);

    [Test]
    public async Task The_plan_may_not_total_more_than_the_contract_and_the_422_gives_the_figures()
    {
        await AddInstalmentAsync(new DateOnly(2026, 12, 31), 60_000m);
        var response = await _rep.PostAsync($"/api/v1/sales/contracts/{_contract.Id}/instalments", JsonBody(new { dueDate = new DateOnly(2027, 3, 31), amount = 40_000.01m }));

        var problem = await ReadProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Multiple(async () =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("plan-exceeds-contract"));
            Assert.That(problem.GetProperty("contractAmount").GetDecimal(), Is.EqualTo(100_000m));
            Assert.That(problem.GetProperty("planned").GetDecimal(), Is.EqualTo(60_000m));
            Assert.That(problem.GetProperty("requested").GetDecimal(), Is.EqualTo(40_000.01m));
            Assert.That((await PlanAsync()).Select(i => i.Sequence), Is.EqualTo(new[] { 1 }));
        });
        await AddInstalmentAsync(new DateOnly(2027, 3, 31), 40_000m);
    }

    [Test]
    public async Task Bad_instalments_are_400_and_an_invisible_contract_is_404()
    {
        var bad = await _rep.PostAsync($"/api/v1/sales/contracts/{_contract.Id}/instalments", JsonBody(new { amount = -5m }));
        var errors = (await ReadProblemAsync(bad, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(errors.TryGetProperty("dueDate", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("amount", out _), Is.True, errors.ToString());
        });

        using var southRep = Factory.ClientFor(_org.SouthRep);
        await ReadProblemAsync(
            await southRep.PostAsync($"/api/v1/sales/contracts/{_contract.Id}/instalments", JsonBody(new { dueDate = new DateOnly(2027, 1, 1), amount = 1m })),
            HttpStatusCode.NotFound);
        await ReadProblemAsync(await southRep.GetAsync($"/api/v1/sales/contracts/{_contract.Id}/instalments"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_receipt_without_an_instalment_fills_the_oldest_due_first_and_statuses_follow()
    {
        var later = await AddInstalmentAsync(new DateOnly(2027, 1, 31), 50_000m);
        var overdue = await AddInstalmentAsync(new DateOnly(2026, 10, 31), 30_000m);
        var last = await AddInstalmentAsync(new DateOnly(2027, 6, 30), 20_000m);

        Assert.That((await PlanAsync()).Select(i => i.Status), Is.EqualTo(new[] { InstalmentStatus.Pending, InstalmentStatus.Overdue, InstalmentStatus.Pending }));

        var receipt = await ReadAsync<ReceiptResponse>(
            await PayAsync(new { contractId = _contract.Id, amount = 40_000m, receivedDate = new DateOnly(2026, 11, 20), method = "bankTransfer", reference = "ICBC-20261120-01" }),
            HttpStatusCode.Created);

        var plan = await PlanAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(receipt.Allocations, Is.EqualTo(new[] { new ReceiptAllocationResponse(overdue.Id, 30_000m), new ReceiptAllocationResponse(later.Id, 10_000m) }));
            Assert.That(receipt.OwnerId, Is.EqualTo(_org.EastRep.Id));
            Assert.That(plan.Select(i => i.PaidAmount), Is.EqualTo(new[] { 10_000m, 30_000m, 0m }));
            Assert.That(plan.Select(i => i.Status), Is.EqualTo(new[] { InstalmentStatus.PartiallyPaid, InstalmentStatus.Paid, InstalmentStatus.Pending }));
            Assert.That(plan[2].Id, Is.EqualTo(last.Id));
            Assert.That((await ContractAsync()).ReceivedAmount, Is.EqualTo(40_000m));
        });

        var asOfFebruary = await ReadAsync<InstalmentResponse[]>(
            await _rep.GetAsync($"/api/v1/sales/contracts/{_contract.Id}/instalments?asOf=2027-02-15"), HttpStatusCode.OK);
        Assert.That(asOfFebruary[0].Status, Is.EqualTo(InstalmentStatus.Overdue), "partly paid and past due is overdue");
    }

    [Test]
    public async Task A_receipt_named_to_an_instalment_may_not_exceed_its_unpaid_part()
    {
        var first = await AddInstalmentAsync(new DateOnly(2026, 12, 31), 30_000m);
        await AddInstalmentAsync(new DateOnly(2027, 1, 31), 70_000m);

        var tooMuch = await PayAsync(new { contractId = _contract.Id, instalmentId = first.Id, amount = 30_000.01m, receivedDate = new DateOnly(2026, 11, 20), method = "cash" });
        var problem = await ReadProblemAsync(tooMuch, HttpStatusCode.UnprocessableEntity);
        Assert.That(problem.GetProperty("outstanding").GetDecimal(), Is.EqualTo(30_000m));

        var exact = await ReadAsync<ReceiptResponse>(
            await PayAsync(new { contractId = _contract.Id, instalmentId = first.Id, amount = 30_000m, receivedDate = new DateOnly(2026, 11, 20), method = "cheque" }),
            HttpStatusCode.Created);
        var unknown = await PayAsync(new { contractId = _contract.Id, instalmentId = Guid.CreateVersion7(), amount = 1m, receivedDate = new DateOnly(2026, 11, 20), method = "cash" });

        Assert.That(exact.Allocations, Is.EqualTo(new[] { new ReceiptAllocationResponse(first.Id, 30_000m) }));
        Assert.That((await ReadProblemAsync(unknown, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("unknown-instalment"));
    }

    [Test]
    public async Task A_receipt_above_what_is_outstanding_is_422_with_the_figures_and_a_draft_takes_no_payment()
    {
        await ReadAsync<ReceiptResponse>(
            await PayAsync(new { contractId = _contract.Id, amount = 99_000m, receivedDate = new DateOnly(2026, 11, 20), method = "online" }), HttpStatusCode.Created);
        var over = await PayAsync(new { contractId = _contract.Id, amount = 1_000.01m, receivedDate = new DateOnly(2026, 11, 21), method = "online" });

        var problem = await ReadProblemAsync(over, HttpStatusCode.UnprocessableEntity);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("payment-exceeds-outstanding"));
            Assert.That(problem.GetProperty("outstanding").GetDecimal(), Is.EqualTo(1_000m));
            Assert.That(problem.GetProperty("requested").GetDecimal(), Is.EqualTo(1_000.01m));
        });

        var (draft, _) = await CreateContractAsync(_rep, _contract.CustomerId);
        var onDraft = await PayAsync(new { contractId = draft.Id, amount = 1m, receivedDate = new DateOnly(2026, 11, 21), method = "cash" });
        Assert.That((await ReadProblemAsync(onDraft, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("contract-not-payable"));
    }

    [Test]
    public async Task Bad_receipts_are_400_with_field_errors_never_500()
    {
        var missing = await PayAsync(new { amount = 0m, receivedDate = new DateOnly(2027, 5, 1), reference = new string('x', 101) });
        var errors = (await ReadProblemAsync(missing, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "contractId", "amount", "receivedDate", "method", "reference" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, $"{field}: {errors}");
            }
        });

        var badMethod = await PayAsync(new { contractId = _contract.Id, amount = 1m, receivedDate = new DateOnly(2026, 11, 20), method = "crypto" });
        await ReadProblemAsync(badMethod, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task An_Idempotency_Key_replays_the_receipt_instead_of_booking_the_money_twice()
    {
        var body = new { contractId = _contract.Id, amount = 25_000m, receivedDate = new DateOnly(2026, 11, 20), method = "bankTransfer", reference = "CMB-778" };
        var first = await PayAsync(body, "receipt-cmb-778");
        var second = await PayAsync(body, "receipt-cmb-778");

        var one = await ReadAsync<ReceiptResponse>(first, HttpStatusCode.Created);
        var two = await ReadAsync<ReceiptResponse>(second, HttpStatusCode.Created);
        Assert.Multiple(async () =>
        {
            Assert.That(two.Id, Is.EqualTo(one.Id));
            Assert.That(second.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.payment_receipts"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%PaymentReceived%'"), Is.EqualTo(1));
            Assert.That((await ContractAsync()).ReceivedAmount, Is.EqualTo(25_000m));
        });
    }

    [Test]
    public async Task Reversing_takes_the_money_back_off_the_contract_and_its_instalments_once()
    {
        var instalment = await AddInstalmentAsync(new DateOnly(2026, 12, 31), 100_000m);
        var paid = await PayAsync(new { contractId = _contract.Id, amount = 60_000m, receivedDate = new DateOnly(2026, 11, 20), method = "cheque", reference = "CHQ-001" });
        var receipt = await ReadAsync<ReceiptResponse>(paid, HttpStatusCode.Created);
        var etag = paid.Headers.ETag!.ToString();

        await ReadProblemAsync(await _rep.SendAsync(Reverse(receipt.Id, "支票退票", "\"1\"")), HttpStatusCode.PreconditionFailed);
        var noReason = (await ReadProblemAsync(await _rep.SendAsync(Reverse(receipt.Id, "")), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.That(noReason.TryGetProperty("reason", out _), Is.True, noReason.ToString());

        var reversed = await ReadAsync<ReceiptResponse>(await _rep.SendAsync(Reverse(receipt.Id, "支票退票", etag)), HttpStatusCode.OK);
        var plan = await PlanAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(reversed.Status, Is.EqualTo(ReceiptStatus.Reversed));
            Assert.That(reversed.ReversalReason, Is.EqualTo("支票退票"));
            Assert.That(plan.Single().Id, Is.EqualTo(instalment.Id));
            Assert.That(plan.Single().PaidAmount, Is.EqualTo(0m));
            Assert.That((await ContractAsync()).ReceivedAmount, Is.EqualTo(0m));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.payment_receipts"), Is.EqualTo(1), "kept, not deleted");
        });

        var again = await _rep.SendAsync(Reverse(receipt.Id, "再次"));
        Assert.That((await ReadProblemAsync(again, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("receipt-already-reversed"));
    }

    [Test]
    public async Task Receipts_follow_contract_visibility_and_need_sales_write()
    {
        var receipt = await ReadAsync<ReceiptResponse>(
            await PayAsync(new { contractId = _contract.Id, amount = 1_000m, receivedDate = new DateOnly(2026, 11, 20), method = "cash" }), HttpStatusCode.Created);
        using var southRep = Factory.ClientFor(_org.SouthRep);
        using var manager = Factory.ClientFor(_org.Manager);
        using var marketer = Factory.ClientFor(_org.Marketer);

        await ReadProblemAsync(await southRep.GetAsync($"/api/v1/sales/receipts/{receipt.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await southRep.SendAsync(Reverse(receipt.Id, "x")), HttpStatusCode.NotFound);
        var onInvisible = await southRep.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId = _contract.Id, amount = 1m, receivedDate = new DateOnly(2026, 11, 20), method = "cash" }));
        Assert.That((await ReadProblemAsync(onInvisible, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("unknown-contract"));
        await ReadProblemAsync(await marketer.SendAsync(Reverse(receipt.Id, "x")), HttpStatusCode.Forbidden);

        var seen = await ReadAsync<ReceiptResponse>(await manager.GetAsync($"/api/v1/sales/receipts/{receipt.Id}"), HttpStatusCode.OK);
        Assert.That(seen.Amount, Is.EqualTo(1_000m));
    }

    [Test]
    public async Task The_overdue_list_pages_oldest_due_first_over_visible_contracts_and_filters_by_customer_and_owner()
    {
        var october = await AddInstalmentAsync(new DateOnly(2026, 10, 31), 30_000m);
        var september = await AddInstalmentAsync(new DateOnly(2026, 9, 30), 20_000m);
        await AddInstalmentAsync(new DateOnly(2027, 1, 31), 50_000m);
        await ReadAsync<ReceiptResponse>(
            await PayAsync(new { contractId = _contract.Id, instalmentId = september.Id, amount = 20_000m, receivedDate = new DateOnly(2026, 11, 1), method = "cash" }),
            HttpStatusCode.Created);
        await ReadAsync<ReceiptResponse>(
            await PayAsync(new { contractId = _contract.Id, instalmentId = october.Id, amount = 5_000m, receivedDate = new DateOnly(2026, 11, 1), method = "cash" }),
            HttpStatusCode.Created);

        using var southRep = Factory.ClientFor(_org.SouthRep);
        var southCustomer = await CustomerOfAsync(Factory, _org.SouthRep, "佛山公司");
        var southContract = await SignedContractAsync(southRep, southCustomer, 10_000m);
        var southOverdue = await ReadAsync<InstalmentResponse>(
            await southRep.PostAsync($"/api/v1/sales/contracts/{southContract.Id}/instalments", JsonBody(new { dueDate = new DateOnly(2026, 8, 31), amount = 10_000m })),
            HttpStatusCode.Created);
        using var manager = Factory.ClientFor(_org.Manager);

        async Task<Page<OverdueInstalmentResponse>> OverdueAsync(HttpClient client, string query) =>
            await ReadAsync<Page<OverdueInstalmentResponse>>(await client.GetAsync($"/api/v1/sales/instalments/overdue{query}"), HttpStatusCode.OK);

        var mine = await OverdueAsync(_rep, "");
        var first = await OverdueAsync(manager, "?limit=1");
        var second = await OverdueAsync(manager, $"?limit=1&cursor={Uri.EscapeDataString(first.NextCursor!)}");
        var february = await OverdueAsync(_rep, "?asOf=2027-02-15");
        Assert.Multiple(async () =>
        {
            Assert.That(mine.Items.Select(i => (i.Id, i.UnpaidAmount, i.ContractNumber)), Is.EqualTo(new[] { (october.Id, 25_000m, _contract.Number) }));
            Assert.That(first.Items.Single().Id, Is.EqualTo(southOverdue.Id));
            Assert.That(second.Items.Single().Id, Is.EqualTo(october.Id));
            Assert.That(second.NextCursor, Is.Null);
            Assert.That(february.Items, Has.Count.EqualTo(2));
            Assert.That((await OverdueAsync(manager, $"?customerId={southCustomer}")).Items.Select(i => i.Id), Is.EqualTo(new[] { southOverdue.Id }));
            Assert.That((await OverdueAsync(manager, $"?ownerId={_org.EastRep.Id}")).Items.Select(i => i.Id), Is.EqualTo(new[] { october.Id }));
        });
        await ReadProblemAsync(await _rep.GetAsync("/api/v1/sales/instalments/overdue?asOf=yesterday"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _rep.GetAsync("/api/v1/sales/instalments/overdue?sort=amount"), HttpStatusCode.BadRequest);
    }
}
