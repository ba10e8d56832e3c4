using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sample;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Pool;
using Crm.Modules.Customers.Features.Timeline;
using Crm.Modules.Customers.Features.Transfers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class TimelineTests : IntegrationTest
{
    internal sealed record TimelinePage(List<TimelineEntryResponse> Items, string? NextCursor, long? Total);

    private sealed record Org(TestUser Manager, TestUser Rep, TestUser OtherRep, TestUser Admin);

    private Org _org = null!;
    private HttpClient _rep = null!;
    private HttpClient _manager = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public async Task CreateOrganisationAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        var service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, company);
        _org = new Org(
            await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, sales),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, service),
            await TestUsers.CreateAsync(Factory, Roles.Admin, company));
        _rep = Factory.ClientFor(_org.Rep);
        _manager = Factory.ClientFor(_org.Manager);
        _admin = Factory.ClientFor(_org.Admin);
    }

    [TearDown]
    public void DisposeClients()
    {
        _rep.Dispose();
        _manager.Dispose();
        _admin.Dispose();
    }

    private static void Later() => Factory.Time.Advance(TimeSpan.FromMinutes(1));

    private static async Task<TimelinePage> TimelineAsync(HttpClient client, Guid id, string query = "") =>
        await ReadAsync<TimelinePage>(await client.GetAsync($"/api/v1/customers/{id}/timeline{query}"), HttpStatusCode.OK);

    [Test]
    public async Task Creation_follow_ups_transfers_status_and_stage_changes_land_on_the_timeline_newest_first()
    {
        var (customer, _) = await CreateAsync(_rep, "时间线客户");
        Later();
        var followUpAt = Factory.Time.GetUtcNow().AddSeconds(-30);
        await ReadAsync<object>(await _rep.PostAsync($"/api/v1/customers/{customer.Id}/follow-ups",
            JsonBody(new { kind = "visit", content = "拜访客户，演示产品", occurredAt = followUpAt })), HttpStatusCode.Created);
        Later();
        await ReadAsync<CustomerResponse>(await _rep.SendAsync(Patch(customer.Id, """{"lifecycleStage":"development"}""")), HttpStatusCode.OK);
        Later();
        await ReadAsync<CustomerResponse>(await _manager.PostAsync($"/api/v1/customers/{customer.Id}/key-account",
            JsonBody(new { isKeyAccount = false, isPotentialKeyAccount = true, reason = "潜力大" })), HttpStatusCode.OK);
        Later();
        await ReadAsync<CustomerResponse>(await _manager.PostAsync($"/api/v1/customers/{customer.Id}/credit-limit",
            JsonBody(new { creditLimit = 20000m, reason = "首单授信" })), HttpStatusCode.OK);
        Later();
        await ReadAsync<CustomerResponse>(await _manager.PostAsync($"/api/v1/customers/{customer.Id}/transfer",
            JsonBody(new { newOwnerId = _org.Manager.Id, reason = "经理亲自跟进" })), HttpStatusCode.OK);
        Later();
        await ReadAsync<CustomerResponse>(await _manager.PostAsync($"/api/v1/customers/{customer.Id}/churn",
            JsonBody(new { reason = "价格", competitor = "竞品" })), HttpStatusCode.OK);

        await DispatchOutboxAsync();
        var timeline = await TimelineAsync(_manager, customer.Id);

        Assert.That(timeline.Items.Select(e => (e.Kind, e.SourceModule)), Is.EqualTo(new[]
        {
            ("status", "customers"), ("ownership", "customers"), ("credit", "customers"), ("keyAccount", "customers"),
            ("stage", "customers"), ("followUp", "customers"), ("created", "customers"),
        }));
        Assert.Multiple(() =>
        {
            Assert.That(timeline.Items[0].Summary, Is.EqualTo("Churned to 竞品: 价格"));
            Assert.That(timeline.Items[4].Summary, Is.EqualTo("Lifecycle stage potential → development"));
            var followUp = timeline.Items[5];
            Assert.That(followUp.OccurredAt, Is.EqualTo(followUpAt), "a follow-up sits at the time it happened, not when it was logged");
            Assert.That(followUp.Summary, Is.EqualTo("Follow-up (visit): 拜访客户，演示产品"));
            Assert.That(followUp.Data.GetProperty("content").GetString(), Is.EqualTo("拜访客户，演示产品"));
            Assert.That(timeline.Items.All(e => e.CustomerId == customer.Id));
        });
    }

    [Test]
    public async Task Pool_release_claim_and_reclaim_land_on_the_timeline()
    {
        var (released, _) = await CreateAsync(_rep, "公海客户");
        var (stale, _) = await CreateAsync(_rep, "久未跟进");
        await ReadAsync<object>(await _admin.PutAsync("/api/v1/customers/pool/rules",
            JsonBody(new { rules = new[] { new { tier = (string?)null, reclaimAfterDaysWithoutFollowUp = 30 } } })), HttpStatusCode.OK);
        Later();
        await ReadAsync<CustomerResponse>(await _rep.PostAsync($"/api/v1/customers/{released.Id}/release", JsonBody(new { reason = "无意向" })), HttpStatusCode.OK);
        Later();
        using var other = Factory.ClientFor(_org.OtherRep);
        await ReadAsync<CustomerResponse>(await other.PostAsync($"/api/v1/customers/{released.Id}/claim", null), HttpStatusCode.OK);
        await CountAsync($"WITH u AS (UPDATE customers.customers SET created_at = created_at - interval '40 days' WHERE id = '{stale.Id}' RETURNING 1) SELECT count(*) FROM u");
        Later();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            Assert.That(await scope.ServiceProvider.GetRequiredService<PoolReclaimer>().RunAsync(CancellationToken.None), Is.EqualTo(1));
        }

        await DispatchOutboxAsync();

        Assert.Multiple(async () =>
        {
            Assert.That((await TimelineAsync(_admin, released.Id, "?kind=ownership")).Items.Select(e => e.Summary),
                Is.EqualTo(new[] { "Taken from the public pool: claimed from the public pool", "Released to the public pool: 无意向" }));
            var reclaimed = (await TimelineAsync(_admin, stale.Id, "?kind=ownership")).Items;
            Assert.That(reclaimed.Select(e => e.Summary), Is.EqualTo(new[] { "Reclaimed to the public pool: no follow-up within the pool rule" }));
            Assert.That(reclaimed[0].Data.TryGetProperty("customerIds", out _), Is.False, "bulk events keep their id lists out of every entry");
        });
    }

    [Test]
    public async Task A_bulk_transfer_puts_one_entry_on_each_customers_timeline()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add((await CreateAsync(_rep, $"批量{i}")).Customer.Id);
        }

        Later();
        var transfer = await ReadAsync<BulkTransferResponse>(await _manager.PostAsync("/api/v1/customers/transfer",
            JsonBody(new { customerIds = ids, newOwnerId = _org.Manager.Id, reason = "区域调整" })), HttpStatusCode.OK);
        await DispatchOutboxAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(transfer.Transferred, Is.EqualTo(30));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.timeline_entries WHERE kind = 'ownership'"), Is.EqualTo(30));
            Assert.That(await CountAsync("SELECT count(DISTINCT customer_id) FROM customers.timeline_entries WHERE kind = 'ownership'"), Is.EqualTo(30));
            var entry = (await TimelineAsync(_manager, ids[7], "?kind=ownership")).Items.Single();
            Assert.That(entry.Summary, Is.EqualTo("Transferred to another owner in a bulk transfer: 区域调整"));
            Assert.That(entry.Data.GetProperty("transferId").GetGuid(), Is.EqualTo(transfer.TransferId));
        });
    }

    [Test]
    public async Task Redelivered_events_do_not_duplicate_entries()
    {
        var (customer, _) = await CreateAsync(_rep, "重复投递");
        await ReadAsync<CustomerResponse>(await _rep.PostAsync($"/api/v1/customers/{customer.Id}/blacklist", JsonBody(new { reason = "拖欠" })), HttpStatusCode.OK);
        await DispatchOutboxAsync();
        var before = await CountAsync("SELECT count(*) FROM customers.timeline_entries");

        // As after a crash between the consumer's write and the delivery record: every message is due again.
        await CountAsync("WITH d AS (DELETE FROM customers.outbox_deliveries RETURNING 1) SELECT count(*) FROM d");
        await CountAsync("WITH u AS (UPDATE customers.outbox_messages SET processed_at = NULL RETURNING 1) SELECT count(*) FROM u");
        await DispatchOutboxAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(before, Is.EqualTo(2));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.timeline_entries"), Is.EqualTo(before));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE processed_at IS NULL"), Is.Zero);
        });
    }

    [Test]
    public async Task Another_modules_event_lands_once_registered_and_unknown_customers_are_skipped()
    {
        var (customer, _) = await CreateAsync(_rep, "下单客户");
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var notes = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
            notes.AddIntegrationEvent(new SampleOrderPlaced(Factory.Time.UtcNow()) { CustomerId = customer.Id, OrderNumber = "SO-1001", Amount = 12000m });
            notes.AddIntegrationEvent(new SampleOrderPlaced(Factory.Time.UtcNow()) { CustomerId = Guid.NewGuid(), OrderNumber = "SO-1002", Amount = 1m });
            await notes.SaveChangesAsync();
        }

        await DispatchOutboxAsync();

        var order = (await TimelineAsync(_rep, customer.Id, "?kind=order")).Items.Single();
        Assert.Multiple(async () =>
        {
            Assert.That((order.SourceModule, order.Summary), Is.EqualTo(("sample", "Order SO-1001 placed: 12000.00 CNY")));
            Assert.That(order.Data.GetProperty("orderNumber").GetString(), Is.EqualTo("SO-1001"));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.timeline_entries WHERE kind = 'order'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.outbox_messages WHERE processed_at IS NULL"), Is.Zero, "a customer that does not exist is skipped, not retried");
        });
    }

    [Test]
    public async Task The_timeline_is_keyset_paged_and_filtered_by_kind_and_time()
    {
        var (customer, _) = await CreateAsync(_rep, "分页");
        var start = Factory.Time.GetUtcNow();
        for (var i = 0; i < 5; i++)
        {
            Later();
            await ReadAsync<object>(await _rep.PostAsync($"/api/v1/customers/{customer.Id}/follow-ups",
                JsonBody(new { kind = "call", content = $"电话{i}", occurredAt = Factory.Time.GetUtcNow() })), HttpStatusCode.Created);
        }

        await DispatchOutboxAsync();
        var first = await TimelineAsync(_rep, customer.Id, "?limit=4&includeTotal=true");
        var second = await TimelineAsync(_rep, customer.Id, $"?limit=4&cursor={first.NextCursor}");
        var oldestFirst = await TimelineAsync(_rep, customer.Id, "?sort=occurredAt&limit=2");
        var window = await TimelineAsync(_rep, customer.Id, $"?kind=followUp&from={Uri.EscapeDataString(start.AddMinutes(2).ToString("O"))}&to={Uri.EscapeDataString(start.AddMinutes(4).ToString("O"))}");

        Assert.Multiple(() =>
        {
            Assert.That(first.Total, Is.EqualTo(6));
            Assert.That(first.Items.Select(e => e.Summary), Is.EqualTo(new[] { "Follow-up (call): 电话4", "Follow-up (call): 电话3", "Follow-up (call): 电话2", "Follow-up (call): 电话1" }));
            Assert.That(second.Items.Select(e => e.Kind), Is.EqualTo(new[] { "followUp", "created" }));
            Assert.That(second.NextCursor, Is.Null);
            Assert.That(oldestFirst.Items.Select(e => e.Kind), Is.EqualTo(new[] { "created", "followUp" }));
            Assert.That(window.Items.Select(e => e.Summary), Is.EqualTo(new[] { "Follow-up (call): 电话2", "Follow-up (call): 电话1" }), "from inclusive, to exclusive");
        });
    }

    [TestCase("?limit=0", "limit")]
    [TestCase("?cursor=garbage", "cursor")]
    [TestCase("?sort=kind", "sort")]
    [TestCase("?from=2026-11-23T10:00:00Z&to=2026-11-23T09:00:00Z", "to")]
    public async Task Bad_timeline_queries_are_400(string query, string field)
    {
        var (customer, _) = await CreateAsync(_rep, "坏查询");
        var problem = await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/timeline{query}"), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task The_timeline_is_readable_exactly_by_those_who_can_read_the_customer()
    {
        var (customer, _) = await CreateAsync(_rep, "可见性");
        await DispatchOutboxAsync();
        using var other = Factory.ClientFor(_org.OtherRep);
        using var anonymous = Factory.CreateClient();

        await ReadProblemAsync(await other.GetAsync($"/api/v1/customers/{customer.Id}/timeline"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _rep.GetAsync($"/api/v1/customers/{Guid.NewGuid()}/timeline"), HttpStatusCode.NotFound);
        Assert.That((await anonymous.GetAsync($"/api/v1/customers/{customer.Id}/timeline")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await TimelineAsync(_manager, customer.Id)).Items, Has.Count.EqualTo(1));
        Assert.That((await TimelineAsync(_admin, customer.Id)).Items, Has.Count.EqualTo(1));

        // A pool customer is readable by every rep, and so is its timeline.
        await ReadAsync<CustomerResponse>(await _rep.PostAsync($"/api/v1/customers/{customer.Id}/release", JsonBody(new { reason = "放弃" })), HttpStatusCode.OK);
        await DispatchOutboxAsync();
        Assert.That((await TimelineAsync(other, customer.Id)).Items, Has.Count.EqualTo(2));
    }
}
