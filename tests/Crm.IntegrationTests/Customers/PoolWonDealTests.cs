using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Pool;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Features.Opportunities;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

/// <summary>The pool rule "reclaim customers with no won deal for M days", fed by the Sales module's OpportunityWon and OpportunityReopened.</summary>
internal sealed class PoolWonDealTests : IntegrationTest
{
    private const string BeforeWonDealsMigration = "20261205171754_CustomersExchangeDifferences";

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

    private static async Task<Guid> WinDealAsync(HttpClient client, Guid customerId, string name)
    {
        var opened = await ReadAsync<OpportunityResponse>(
            await client.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name, customerId, amount = 10000m })), HttpStatusCode.Created);
        await ReadAsync<OpportunityResponse>(await client.PostAsync($"/api/v1/sales/opportunities/{opened.Id}/win", JsonBody(new { })), HttpStatusCode.OK);
        return opened.Id;
    }

    private static async Task ReopenDealAsync(HttpClient client, Guid opportunityId) =>
        await ReadAsync<OpportunityResponse>(await client.PostAsync($"/api/v1/sales/opportunities/{opportunityId}/reopen", JsonBody(new { })), HttpStatusCode.OK);

    private static Task DeliverAsync(OpportunityWon won) => DeliverBatchAsync([won]);

    private static Task DeliverAsync(OpportunityReopened reopened) => DeliverBatchAsync([reopened]);

    private static async Task DeliverBatchAsync(IReadOnlyList<OpportunityWon> batch)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CustomerWonDealConsumer>().HandleAsync(batch, CancellationToken.None);
    }

    private static async Task DeliverBatchAsync(IReadOnlyList<OpportunityReopened> batch)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CustomerWonDealConsumer>().HandleAsync(batch, CancellationToken.None);
    }

    private static OpportunityWon Won(Guid customerId, DateTimeOffset at, Guid? opportunityId = null) =>
        new(at) { OpportunityId = opportunityId ?? Guid.CreateVersion7(), CustomerId = customerId, Name = "旧单", Amount = 1m, Currency = "CNY" };

    private static OpportunityReopened Reopened(Guid customerId, Guid opportunityId, DateTimeOffset at) =>
        new(at)
        {
            OpportunityId = opportunityId, CustomerId = customerId, Name = "旧单", FromStatus = "won", StageId = Guid.CreateVersion7(), StageCode = "negotiation",
            Amount = 1m, Currency = "CNY",
        };

    private static async Task<CustomerResponse> GetAsync(HttpClient client, Guid customerId) =>
        await ReadAsync<CustomerResponse>(await client.GetAsync($"/api/v1/customers/{customerId}"), HttpStatusCode.OK);

    private static async Task<(CustomerResponse Customer, string ETag)> GetWithETagAsync(HttpClient client, Guid customerId)
    {
        var response = await client.GetAsync($"/api/v1/customers/{customerId}");
        return (await ReadAsync<CustomerResponse>(response, HttpStatusCode.OK), response.Headers.ETag!.ToString());
    }

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
    public async Task A_reopened_deal_no_longer_counts_last_won_at_falls_back_to_the_other_standing_win_then_to_none()
    {
        using var rep = Factory.ClientFor(_rep);
        var (customer, _) = await CreateAsync(rep, "赢单后重开");
        var first = await WinDealAsync(rep, customer.Id, "第一单");
        var firstWonAt = Factory.Time.GetUtcNow();
        Factory.Time.Advance(TimeSpan.FromMinutes(2));
        var second = await WinDealAsync(rep, customer.Id, "第二单");
        var secondWonAt = Factory.Time.GetUtcNow();
        await DispatchOutboxAsync();
        var afterWins = await GetAsync(rep, customer.Id);

        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        await ReopenDealAsync(rep, second);
        await DispatchOutboxAsync();
        var afterReopen = await GetAsync(rep, customer.Id);
        await ReopenDealAsync(rep, first);
        await DispatchOutboxAsync();
        var afterBoth = await GetAsync(rep, customer.Id);

        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        await ReadAsync<OpportunityResponse>(await rep.PostAsync($"/api/v1/sales/opportunities/{second}/win", JsonBody(new { })), HttpStatusCode.OK);
        var wonAgainAt = Factory.Time.GetUtcNow();
        await DispatchOutboxAsync();
        var afterWinAgain = await GetAsync(rep, customer.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(afterWins.LastWonAt, Is.EqualTo(secondWonAt));
            Assert.That(afterReopen.LastWonAt, Is.EqualTo(firstWonAt));
            Assert.That(afterBoth.LastWonAt, Is.Null);
            Assert.That(afterWinAgain.LastWonAt, Is.EqualTo(wonAgainAt));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.won_deals WHERE customer_id = '{customer.Id}'"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Redelivered_and_stale_events_change_nothing_and_a_reopen_delivered_before_its_older_win_keeps_the_deal_reopened()
    {
        using var rep = Factory.ClientFor(_rep);
        var (customer, _) = await CreateAsync(rep, "乱序事件");
        var now = Factory.Time.GetUtcNow();
        var standing = Won(customer.Id, now.AddDays(-10));
        await DeliverAsync(standing);

        // Out of order: the reopen (newer) arrives first, then the win it undid; both again later.
        var late = Guid.CreateVersion7();
        var reopened = Reopened(customer.Id, late, now.AddDays(-1));
        var won = Won(customer.Id, now.AddDays(-2), late);
        await DeliverAsync(reopened);
        await DeliverAsync(won);
        var afterOutOfOrder = await GetAsync(rep, customer.Id);
        await DeliverAsync(won);
        await DeliverAsync(reopened);
        await DeliverAsync(standing);
        var (afterRedelivery, etagAfterRedelivery) = await GetWithETagAsync(rep, customer.Id);

        // Two events of one deal at the same instant: the later event id (uuid v7, in the order Sales wrote them) decides.
        var tie = Guid.CreateVersion7();
        var tiedWin = Won(customer.Id, now.AddDays(-3), tie) with { EventId = Guid.CreateVersion7(now) };
        var tiedReopen = Reopened(customer.Id, tie, now.AddDays(-3)) with { EventId = Guid.CreateVersion7(now.AddMilliseconds(1)) };
        await DeliverAsync(tiedReopen);
        await DeliverAsync(tiedWin);
        var afterTie = await GetAsync(rep, customer.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(afterOutOfOrder.LastWonAt, Is.EqualTo(now.AddDays(-10)));
            Assert.That(afterRedelivery.LastWonAt, Is.EqualTo(now.AddDays(-10)));
            Assert.That(etagAfterRedelivery, Is.EqualTo((await GetWithETagAsync(rep, customer.Id)).ETag), "a redelivery does not touch the customer row");
            Assert.That(afterTie.LastWonAt, Is.EqualTo(now.AddDays(-10)));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.won_deals WHERE opportunity_id IN ('{late}', '{tie}') AND won_at IS NULL"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task One_batch_for_many_customers_sets_each_ones_last_won_at_and_of_several_events_for_one_deal_the_newest_counts()
    {
        using var rep = Factory.ClientFor(_rep);
        var now = Factory.Time.GetUtcNow();
        var customers = new List<CustomerResponse>();
        for (var i = 0; i < 3; i++)
        {
            customers.Add((await CreateAsync(rep, $"批量赢单客户{i}")).Customer);
        }

        var (loser, _) = await CreateAsync(rep, "批量被合并客户");
        using var manager = Factory.ClientFor(_manager);
        await ReadAsync<CustomerResponse>(
            await manager.PostAsync($"/api/v1/customers/{customers[1].Id}/merge", JsonBody(new { loserId = loser.Id, reason = "重复客户" })), HttpStatusCode.OK);

        // One delivery: a win for the first, a win for the second and a later one naming the customer merged into it, and
        // three events (redelivered, newer, older) for one deal of the third.
        var deal = Guid.CreateVersion7();
        var dealWin = Won(customers[2].Id, now.AddDays(-6), deal);
        await DeliverBatchAsync(
        [
            Won(customers[0].Id, now.AddDays(-9)), Won(customers[1].Id, now.AddDays(-8)), Won(loser.Id, now.AddDays(-2)),
            dealWin, Won(customers[2].Id, now.AddDays(-4), deal), dealWin, Won(customers[2].Id, now.AddDays(-7), deal),
        ]);
        var afterWins = await Task.WhenAll(customers.Select(c => GetAsync(rep, c.Id)));

        // Reopens of one deal in one batch: the newest (a reopen after the last win) takes the win back.
        await DeliverBatchAsync([Reopened(customers[2].Id, deal, now.AddDays(-5)), Reopened(customers[2].Id, deal, now.AddDays(-3))]);
        var afterReopen = await GetAsync(rep, customers[2].Id);

        Assert.Multiple(async () =>
        {
            Assert.That(afterWins.Select(c => c.LastWonAt), Is.EqualTo(new DateTimeOffset?[] { now.AddDays(-9), now.AddDays(-2), now.AddDays(-4) }));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.won_deals WHERE opportunity_id = '{deal}'"), Is.EqualTo(1));
            Assert.That(afterReopen.LastWonAt, Is.Null);
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
    public async Task A_merge_moves_the_losers_deals_to_the_survivor_whose_own_standing_wins_remain_when_one_is_reopened()
    {
        using var rep = Factory.ClientFor(_rep);
        var (survivor, _) = await CreateAsync(rep, "存续客户");
        var (loser, _) = await CreateAsync(rep, "被合并客户");
        var now = Factory.Time.GetUtcNow();
        var survivorDeal = Guid.CreateVersion7();
        var loserDeal = Guid.CreateVersion7();
        await DeliverAsync(Won(survivor.Id, now.AddDays(-20), survivorDeal));
        await DeliverAsync(Won(loser.Id, now.AddDays(-5), loserDeal));

        using var manager = Factory.ClientFor(_manager);
        var merged = await ReadAsync<CustomerResponse>(
            await manager.PostAsync($"/api/v1/customers/{survivor.Id}/merge", JsonBody(new { loserId = loser.Id, reason = "重复客户" })), HttpStatusCode.OK);

        // Sales still names the loser: the reopen finds the deal on the survivor and leaves the survivor's own win.
        await DeliverAsync(Reopened(loser.Id, loserDeal, now.AddDays(-1)));
        var afterReopen = await GetAsync(rep, survivor.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(merged.LastWonAt, Is.EqualTo(now.AddDays(-5)));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.won_deals WHERE customer_id = '{survivor.Id}' AND opportunity_id IN ('{survivorDeal}', '{loserDeal}')"), Is.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.won_deals WHERE customer_id = '{loser.Id}'"), Is.Zero);
            Assert.That(afterReopen.LastWonAt, Is.EqualTo(now.AddDays(-20)));
        });
    }

    [Test]
    public async Task Reclaim_counts_a_customer_whose_only_win_was_reopened_as_without_a_won_deal()
    {
        await PutRulesAsync(new object[] { new { tier = (string?)null, reclaimAfterDaysWithoutWonDeal = 30 } });
        using var rep = Factory.ClientFor(_rep);
        var (reopenedWin, _) = await CreateAsync(rep, "赢单被重开");
        var (standingWin, _) = await CreateAsync(rep, "赢单仍有效");
        var now = Factory.Time.GetUtcNow();
        var deal = Guid.CreateVersion7();
        await DeliverAsync(Won(reopenedWin.Id, now.AddDays(-5), deal));
        await DeliverAsync(Won(standingWin.Id, now.AddDays(-5)));
        await CountAsync("WITH u AS (UPDATE customers.customers SET created_at = created_at - interval '40 days' RETURNING 1) SELECT count(*) FROM u");

        var beforeReopen = await ReclaimAsync();
        await DeliverAsync(Reopened(reopenedWin.Id, deal, now.AddDays(-1)));
        var afterReopen = await ReclaimAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(beforeReopen, Is.Zero);
            Assert.That(afterReopen, Is.EqualTo(1));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM customers.customer_owner_history WHERE customer_id = '{reopenedWin.Id}' AND to_owner_id IS NULL AND reason = '{PoolReclaimer.WonDealReason}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{standingWin.Id}' AND owner_id IS NOT NULL"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_migration_carries_stored_wins_over_as_standing_wins_that_newer_events_build_on()
    {
        using var rep = Factory.ClientFor(_rep);
        var (won, _) = await CreateAsync(rep, "迁移前赢单");
        var (never, _) = await CreateAsync(rep, "迁移前未赢单");
        var now = Factory.Time.GetUtcNow();
        await using var scope = Factory.Services.CreateAsyncScope();
        var migrator = scope.ServiceProvider.GetRequiredService<CustomersDbContext>().GetService<IMigrator>();
        await migrator.MigrateAsync(BeforeWonDealsMigration);
        try
        {
            await CountAsync($"WITH u AS (UPDATE customers.customers SET last_won_at = '{now.AddDays(-10):O}' WHERE id = '{won.Id}' RETURNING 1) SELECT count(*) FROM u");
        }
        finally
        {
            await migrator.MigrateAsync();
        }

        var carried = await CountAsync($"SELECT count(*) FROM customers.won_deals WHERE customer_id = '{won.Id}' AND opportunity_id IS NULL AND won_at = '{now.AddDays(-10):O}'");
        var deal = Guid.CreateVersion7();
        await DeliverAsync(Won(won.Id, now.AddDays(-3), deal));
        var afterNewWin = await GetAsync(rep, won.Id);
        await DeliverAsync(Reopened(won.Id, deal, now.AddDays(-1)));
        var afterReopen = await GetAsync(rep, won.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(carried, Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.won_deals WHERE customer_id = '{never.Id}'"), Is.Zero);
            Assert.That(afterNewWin.LastWonAt, Is.EqualTo(now.AddDays(-3)));
            Assert.That(afterReopen.LastWonAt, Is.EqualTo(now.AddDays(-10)));
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
