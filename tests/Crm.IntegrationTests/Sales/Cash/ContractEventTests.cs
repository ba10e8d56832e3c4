using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Contracts;
using Crm.Modules.Sales.Features.Payments;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

/// <summary>The integration events of the contract lifecycle (in force, expired) and of renewals, and their timeline entries.</summary>
internal sealed class ContractEventTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _admin = null!;
    private Guid _customerId;
    private DateOnly _today;

    [SetUp]
    public async Task CreateCustomerAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _admin = Factory.ClientFor(_org.Admin);
        _customerId = await CustomerOfAsync(Factory, _org.EastRep, "常州精工有限公司");

        // Dates relative to the shared test clock, which earlier tests may have moved on.
        _today = DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime);
    }

    [TearDown]
    public void DisposeAdmin() => _admin.Dispose();

    private static Task<long> EventsAsync(string type, string where = "true") =>
        CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type = 'Crm.Modules.Sales.Contracts.{type}' AND {where}");

    private async Task<ContractResponse> SignedAsync(DateOnly start, DateOnly end, decimal amount = 1_000m, string currency = "CNY")
    {
        var created = await _admin.PostAsync(
            "/api/v1/sales/contracts", JsonBody(new { customerId = _customerId, title = "设备维保", amount, currency, startDate = start, endDate = end }));
        var contract = await ReadAsync<ContractResponse>(created, HttpStatusCode.Created);
        return await ReadAsync<ContractResponse>(await _admin.SendAsync(Sign(contract.Id, created.Headers.ETag!.ToString())), HttpStatusCode.OK);
    }

    private static async Task<int?> RunLifecycleAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ContractLifecycle>().RunAsync(CancellationToken.None);
    }

    private async Task<List<string>> TimelineAsync()
    {
        await DispatchOutboxAsync();
        var page = await ReadAsync<TimelineTests.TimelinePage>(await _admin.GetAsync($"/api/v1/customers/{_customerId}/timeline?kind=contract&limit=50"), HttpStatusCode.OK);
        return page.Items.Select(e => e.Summary).ToList();
    }

    [Test]
    public async Task The_lifecycle_job_raises_ContractActivated_and_ContractExpired_for_every_contract_it_moves_and_they_land_on_the_timeline()
    {
        var starting = await SignedAsync(_today.AddDays(1), _today.AddYears(1));
        var paidInPart = await SignedAsync(_today.AddDays(1), _today.AddYears(1));
        var untouched = await SignedAsync(_today.AddDays(1), _today.AddYears(1));
        await ReadAsync<ReceiptResponse>(
            await _admin.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId = paidInPart.Id, amount = 300m, receivedDate = _today, method = "cash" })),
            HttpStatusCode.Created);

        // The calendar reaches the first one's start.
        await CountAsync($"UPDATE sales.contracts SET start_date = DATE '{_today:yyyy-MM-dd}' WHERE id = '{starting.Id}'");
        var activated = await RunLifecycleAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(activated, Is.EqualTo(1));
            Assert.That(await EventsAsync("ContractActivated"), Is.EqualTo(1));
            Assert.That(await EventsAsync("ContractActivated",
                $"payload->>'contractId' = '{starting.Id}' AND payload->>'contractNumber' = '{starting.Number}' AND payload->>'customerId' = '{_customerId}' "
                + $"AND payload->>'ownerId' = '{starting.OwnerId}' AND (payload->>'amount')::numeric = 1000 AND payload->>'currency' = 'CNY' "
                + $"AND (payload->>'cnyAmount')::numeric = 1000 AND payload->>'startDate' = '{_today:yyyy-MM-dd}'"), Is.EqualTo(1));
            Assert.That(await EventsAsync("ContractExpired"), Is.Zero);
        });

        // Then it passes the ends of the active one and of a signed one that never started.
        var yesterday = _today.AddDays(-1);
        await CountAsync(
            $"UPDATE sales.contracts SET start_date = DATE '{_today.AddDays(-300):yyyy-MM-dd}', end_date = DATE '{yesterday:yyyy-MM-dd}' "
            + $"WHERE id IN ('{starting.Id}', '{paidInPart.Id}')");
        var expired = await RunLifecycleAsync();
        var again = await RunLifecycleAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(expired, Is.EqualTo(2));
            Assert.That(again, Is.Zero);
            Assert.That(await EventsAsync("ContractExpired"), Is.EqualTo(2), "one per moved contract, none from a run that moved nothing");
            Assert.That(await EventsAsync("ContractExpired",
                $"payload->>'contractId' = '{paidInPart.Id}' AND (payload->>'outstandingAmount')::numeric = 700 "
                + $"AND (payload->>'outstandingCnyAmount')::numeric = 700 AND payload->>'endDate' = '{yesterday:yyyy-MM-dd}'"), Is.EqualTo(1));
            Assert.That(await EventsAsync("ContractExpired", $"payload->>'contractId' = '{starting.Id}' AND (payload->>'outstandingAmount')::numeric = 1000"),
                Is.EqualTo(1));
            Assert.That(await EventsAsync("ContractActivated"), Is.EqualTo(1), "a signed contract that expires without starting was never in force");
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE payload->>'contractId' = '{untouched.Id}' AND type NOT LIKE '%ContractSigned'"),
                Is.Zero);
        });

        var timeline = await TimelineAsync();
        Assert.Multiple(() =>
        {
            Assert.That(timeline, Has.Member($"Contract {starting.Number} in force from {_today:yyyy-MM-dd} to {_today.AddYears(1):yyyy-MM-dd}: 1,000.00 CNY"));
            Assert.That(timeline, Has.Member($"Contract {starting.Number} expired after {yesterday:yyyy-MM-dd}: 1,000.00 CNY still owed"));
            Assert.That(timeline, Has.Member($"Contract {paidInPart.Number} expired after {yesterday:yyyy-MM-dd}: 700.00 CNY still owed"));
        });
    }

    [Test]
    public async Task Signing_on_or_after_the_start_raises_the_event_of_the_status_it_signs_into_with_the_CNY_amount_at_the_signing_rate()
    {
        using var manager = Factory.ClientFor(_org.Manager);
        await ReadAsync<object>(
            await manager.SendAsync(ExchangeRateTests.Put("USD", "2026-11-20", new { rate = 7.1m, source = "中国人民银行中间价" })), HttpStatusCode.Created);

        var active = await SignedAsync(_today.AddDays(-10), _today.AddDays(300), 2_000m, "USD");
        var ended = await SignedAsync(_today.AddDays(-400), _today.AddDays(-35));
        var future = await SignedAsync(_today.AddDays(5), _today.AddDays(300));

        Assert.Multiple(async () =>
        {
            Assert.That((active.Status, ended.Status, future.Status), Is.EqualTo((ContractStatus.Active, ContractStatus.Expired, ContractStatus.Signed)));
            Assert.That(await EventsAsync("ContractSigned"), Is.EqualTo(3));
            Assert.That(await EventsAsync("ContractActivated"), Is.EqualTo(1));
            Assert.That(await EventsAsync("ContractActivated",
                $"payload->>'contractId' = '{active.Id}' AND payload->>'currency' = 'USD' AND (payload->>'amount')::numeric = 2000 "
                + "AND (payload->>'cnyAmount')::numeric = 14200"), Is.EqualTo(1));
            Assert.That(await EventsAsync("ContractExpired"), Is.EqualTo(1));
            Assert.That(await EventsAsync("ContractExpired", $"payload->>'contractId' = '{ended.Id}' AND (payload->>'outstandingAmount')::numeric = 1000"),
                Is.EqualTo(1));
        });

        // The job finds nothing more to move, so nothing is raised twice.
        Assert.That(await RunLifecycleAsync(), Is.Zero);
        Assert.That(await EventsAsync("ContractActivated") + await EventsAsync("ContractExpired"), Is.EqualTo(2));
        Assert.That(await TimelineAsync(), Has.Member($"Contract {active.Number} in force from {_today.AddDays(-10):yyyy-MM-dd} to {_today.AddDays(300):yyyy-MM-dd}: 2,000.00 USD"));
    }

    [Test]
    public async Task Renewing_raises_ContractRenewed_naming_both_contracts_once_and_it_lands_on_the_timeline()
    {
        using var rep = Factory.ClientFor(_org.EastRep);
        var renewed = await SignedContractAsync(rep, _customerId, 80_000m);
        var response = await rep.PostAsync($"/api/v1/sales/contracts/{renewed.Id}/renew", JsonBody(new { amount = 90_000m }));
        var successor = await ReadAsync<ContractResponse>(response, HttpStatusCode.Created);
        var twice = await rep.PostAsync($"/api/v1/sales/contracts/{renewed.Id}/renew", JsonBody(new { }));
        Assert.That((await ReadProblemAsync(twice, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("contract-already-renewed"));

        Assert.Multiple(async () =>
        {
            Assert.That(await EventsAsync("ContractRenewed"), Is.EqualTo(1), "a refused renewal raises nothing");
            Assert.That(await EventsAsync("ContractRenewed",
                $"payload->>'contractId' = '{successor.Id}' AND payload->>'contractNumber' = '{successor.Number}' "
                + $"AND payload->>'renewedContractId' = '{renewed.Id}' AND payload->>'renewedContractNumber' = '{renewed.Number}' "
                + $"AND payload->>'customerId' = '{_customerId}' AND payload->>'ownerId' = '{_org.EastRep.Id}' AND (payload->>'amount')::numeric = 90000 "
                + $"AND payload->>'startDate' = '{successor.StartDate:yyyy-MM-dd}' AND payload->>'endDate' = '{successor.EndDate:yyyy-MM-dd}'"), Is.EqualTo(1));
        });

        Assert.That(await TimelineAsync(), Has.Member(
            $"Contract {renewed.Number} renewed as draft {successor.Number}, {successor.StartDate:yyyy-MM-dd} to {successor.EndDate:yyyy-MM-dd}: 90,000.00 CNY"));
    }

    [Test]
    public async Task Giving_a_contract_to_another_owner_raises_ContractOwnerChanged_once_and_it_lands_on_the_timeline()
    {
        using var rep = Factory.ClientFor(_org.EastRep);
        var contract = await SignedContractAsync(rep, _customerId, 80_000m);

        await ReadProblemAsync(await rep.SendAsync(PatchContract(contract.Id, new { ownerId = _org.SouthRep.Id })), HttpStatusCode.Forbidden);
        await ReadAsync<ContractResponse>(await _admin.SendAsync(PatchContract(contract.Id, new { title = "设备维保（续）" })), HttpStatusCode.OK);
        await ReadAsync<ContractResponse>(await _admin.SendAsync(PatchContract(contract.Id, new { ownerId = _org.EastRep.Id })), HttpStatusCode.OK);
        Assert.That(await EventsAsync("ContractOwnerChanged"), Is.Zero, "a refused change, a title and the same owner raise nothing");

        var handedOver = await ReadAsync<ContractResponse>(
            await _admin.SendAsync(PatchContract(contract.Id, new { ownerId = _org.SouthRep.Id })), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(handedOver.OwnerId, Is.EqualTo(_org.SouthRep.Id));
            Assert.That(await EventsAsync("ContractOwnerChanged"), Is.EqualTo(1));
            Assert.That(await EventsAsync("ContractOwnerChanged",
                $"payload->>'contractId' = '{contract.Id}' AND payload->>'contractNumber' = '{contract.Number}' AND payload->>'customerId' = '{_customerId}' "
                + $"AND payload->>'status' = '{handedOver.Status.ToString().ToLowerInvariant()}' AND payload->>'fromOwnerId' = '{_org.EastRep.Id}' AND payload->>'toOwnerId' = '{_org.SouthRep.Id}' "
                + $"AND payload->>'changedBy' = '{_org.Admin.Id}' AND (payload->>'amount')::numeric = 80000 AND payload->>'currency' = 'CNY'"), Is.EqualTo(1));
        });

        Assert.That(await TimelineAsync(), Has.Member($"Contract {contract.Number} handed over: 80,000.00 CNY"));
    }
}
