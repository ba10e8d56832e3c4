using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Pool;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Features.Opportunities;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

/// <summary>The pool rule "reclaim customers with no won deal for M days", fed by the Sales module's OpportunityWon.</summary>
internal sealed class PoolWonDealTests : IntegrationTest
{
    private TestUser _rep = null!;
    private TestUser _manager = null!;
    private TestUser _admin = null!;

    [SetUp]
    public async Task CreateOrganisationAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "赢单公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售一部", TeamKind.Department, company);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, sales);
        _admin = await TestUsers.CreateAsync(Factory, Roles.Admin, company);
    }

    private async Task PutRulesAsync(object rules)
    {
        using var admin = Factory.ClientFor(_admin);
        await ReadAsync<PoolRulesDto>(await admin.PutAsync("/api/v1/customers/pool/rules", JsonBody(new { rules })), HttpStatusCode.OK);
    }

    private static async Task WinDealAsync(HttpClient client, Guid customerId, string name)
    {
        var opened = await ReadAsync<OpportunityResponse>(
            await client.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name, customerId, amount = 10000m })), HttpStatusCode.Created);
        await ReadAsync<OpportunityResponse>(await client.PostAsync($"/api/v1/sales/opportunities/{opened.Id}/win", JsonBody(new { })), HttpStatusCode.OK);
    }

    private static async Task DeliverAsync(OpportunityWon won)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CustomerWonDealConsumer>().HandleAsync(won, CancellationToken.None);
    }

    private static OpportunityWon Won(Guid customerId, DateTimeOffset at) =>
        new(at) { OpportunityId = Guid.CreateVersion7(), CustomerId = customerId, Name = "旧单", Amount = 1m, Currency = "CNY" };

    private static async Task<int?> ReclaimAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PoolReclaimer>().RunAsync(CancellationToken.None);
    }

    private static Task<long> ShiftAsync(Guid customerId, string column, int days) =>
        CountAsync($"WITH u AS (UPDATE customers.customers SET {column} = {column} - interval '{days} days' WHERE id = '{customerId}' RETURNING 1) SELECT count(*) FROM u");

    [Test]
    public async Task A_won_deal_sets_the_customers_last_won_at_and_redelivered_or_older_wins_do_not_move_it_back()
    {
        using var rep = Factory.ClientFor(_rep);
        var (customer, _) = await CreateAsync(rep, "赢过单的客户");
        await WinDealAsync(rep, customer.Id, "第一单");
        var wonAt = Factory.Time.GetUtcNow();
        await DispatchOutboxAsync();

        var afterWin = await ReadAsync<CustomerResponse>(await rep.GetAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK);
        var again = Won(customer.Id, wonAt);
        await DeliverAsync(again);
        await DeliverAsync(again);
        await DeliverAsync(Won(customer.Id, wonAt.AddDays(-10)));
        var afterOld = await ReadAsync<CustomerResponse>(await rep.GetAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK);
        await DeliverAsync(Won(customer.Id, wonAt.AddDays(1)));
        var afterNewer = await ReadAsync<CustomerResponse>(await rep.GetAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(customer.LastWonAt, Is.Null);
            Assert.That(afterWin.LastWonAt, Is.EqualTo(wonAt));
            Assert.That(afterOld.LastWonAt, Is.EqualTo(wonAt));
            Assert.That(afterNewer.LastWonAt, Is.EqualTo(wonAt.AddDays(1)));
        });
    }

    [Test]
    public async Task A_win_for_a_merged_customer_lands_on_its_survivor_and_a_merge_keeps_the_later_win()
    {
        using var rep = Factory.ClientFor(_rep);
        var (survivor, _) = await CreateAsync(rep, "存续客户");
        var (loser, _) = await CreateAsync(rep, "被合并客户");
        var now = Factory.Time.GetUtcNow();
        await DeliverAsync(Won(survivor.Id, now.AddDays(-20)));
        await DeliverAsync(Won(loser.Id, now.AddDays(-5)));

        using var manager = Factory.ClientFor(_manager);
        var merged = await ReadAsync<CustomerResponse>(
            await manager.PostAsync($"/api/v1/customers/{survivor.Id}/merge", JsonBody(new { loserId = loser.Id, reason = "重复客户" })), HttpStatusCode.OK);
        await DeliverAsync(Won(loser.Id, now.AddDays(-1)));
        var afterLateWin = await ReadAsync<CustomerResponse>(await rep.GetAsync($"/api/v1/customers/{survivor.Id}"), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(merged.LastWonAt, Is.EqualTo(now.AddDays(-5)));
            Assert.That(afterLateWin.LastWonAt, Is.EqualTo(now.AddDays(-1)));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{loser.Id}' AND last_won_at = '{now.AddDays(-5):O}'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Reclaim_moves_customers_without_a_won_deal_for_M_days_counting_from_the_win_or_from_when_the_owner_got_them()
    {
        await PutRulesAsync(new object[] { new { tier = (string?)null, reclaimAfterDaysWithoutWonDeal = 30 }, new { tier = "VIP" } });
        using var rep = Factory.ClientFor(_rep);
        var (recentWin, _) = await CreateAsync(rep, "近期赢单");
        var (oldWin, _) = await CreateAsync(rep, "很久前赢单");
        var (neverWon, _) = await CreateAsync(rep, "从未赢单");
        var (justClaimed, _) = await CreateAsync(rep, "刚认领");
        var (vip, _) = await CreateAsync(rep, new { kind = "organization", name = "VIP 客户", tier = "VIP" });
        await WinDealAsync(rep, recentWin.Id, "近期订单");
        await DispatchOutboxAsync();
        await DeliverAsync(Won(oldWin.Id, Factory.Time.GetUtcNow().AddDays(-31)));
        await ReadAsync<CustomerResponse>(await rep.PostAsync($"/api/v1/customers/{justClaimed.Id}/release", JsonBody(new { reason = "暂不跟进" })), HttpStatusCode.OK);
        await ReadAsync<CustomerResponse>(await rep.PostAsync($"/api/v1/customers/{justClaimed.Id}/claim", null), HttpStatusCode.OK);
        await CountAsync("WITH u AS (UPDATE customers.customers SET created_at = created_at - interval '40 days' RETURNING 1) SELECT count(*) FROM u");

        var first = await ReclaimAsync();
        var second = await ReclaimAsync();
        await DispatchOutboxAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(first, Is.EqualTo(2));
            Assert.That(second, Is.EqualTo(0));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM customers.customer_owner_history WHERE to_owner_id IS NULL AND reason = '{PoolReclaimer.WonDealReason}' AND customer_id IN ('{oldWin.Id}', '{neverWon.Id}')"), Is.EqualTo(2));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE owner_id IS NULL"), Is.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE owner_id IS NOT NULL AND id IN ('{recentWin.Id}', '{justClaimed.Id}', '{vip.Id}')"), Is.EqualTo(3));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomersReclaimed%' AND payload::text LIKE '%{CustomersReclaimed.WonDealReason}%'"), Is.EqualTo(1));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM customers.timeline_entries WHERE customer_id = '{neverWon.Id}' AND summary = 'Reclaimed to the public pool: {CustomersReclaimed.WonDealReason}'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_customer_stale_under_both_rules_is_reclaimed_once_for_the_follow_up_rule()
    {
        await PutRulesAsync(new object[] { new { tier = (string?)null, reclaimAfterDaysWithoutFollowUp = 30, reclaimAfterDaysWithoutWonDeal = 60 } });
        using var rep = Factory.ClientFor(_rep);
        var (both, _) = await CreateAsync(rep, "两条都超期");
        var (onlyWon, _) = await CreateAsync(rep, "只超赢单期");
        await ShiftAsync(both.Id, "created_at", 90);
        await ShiftAsync(onlyWon.Id, "created_at", 90);
        await CountAsync($"WITH u AS (UPDATE customers.customers SET last_follow_up_at = '{Factory.Time.GetUtcNow().AddDays(-1):O}' WHERE id = '{onlyWon.Id}' RETURNING 1) SELECT count(*) FROM u");

        var moved = await ReclaimAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(moved, Is.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customer_owner_history WHERE customer_id = '{both.Id}' AND reason = '{PoolReclaimer.Reason}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customer_owner_history WHERE customer_id = '{onlyWon.Id}' AND reason = '{PoolReclaimer.WonDealReason}'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomersReclaimed%'"), Is.EqualTo(2));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND affected_count = 1"), Is.EqualTo(2));
        });
    }
}
