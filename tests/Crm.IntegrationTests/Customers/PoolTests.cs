using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Pool;
using Crm.Modules.Customers.Features.Transfers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Paging;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class PoolTests : IntegrationTest
{
    private sealed record Org(TestUser Manager, TestUser RepA, TestUser RepB, TestUser Admin);

    private async Task<Org> CreateOrganisationAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        return new Org(
            await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, sales),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, sales),
            await TestUsers.CreateAsync(Factory, Roles.Admin, company));
    }

    private async Task<CustomerResponse> PoolCustomerAsync(Org org, string name, string? tier = null)
    {
        using var rep = Factory.ClientFor(org.RepA);
        var (customer, _) = await CreateAsync(rep, new { kind = "organization", name, tier });
        await ReadAsync<CustomerResponse>(await rep.PostAsync($"/api/v1/customers/{customer.Id}/release", JsonBody(new { reason = "没有意向" })), HttpStatusCode.OK);
        return customer;
    }

    private async Task PutRulesAsync(Org org, object rules)
    {
        using var admin = Factory.ClientFor(org.Admin);
        await ReadAsync<PoolRulesDto>(await admin.PutAsync("/api/v1/customers/pool/rules", JsonBody(new { rules })), HttpStatusCode.OK);
    }

    [Test]
    public async Task Any_rep_may_read_a_pool_customer_but_must_claim_it_before_changing_it()
    {
        var org = await CreateOrganisationAsync();
        var customer = await PoolCustomerAsync(org, "公海客户");
        using var repB = Factory.ClientFor(org.RepB);

        var read = await repB.GetAsync($"/api/v1/customers/{customer.Id}");
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/customers/{customer.Id}")
        {
            Content = new StringContent("""{"name":"改名"}""", System.Text.Encoding.UTF8, "application/merge-patch+json"),
        };

        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ReadProblemAsync(await repB.SendAsync(patch), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_owner_releases_a_customer_to_the_pool_with_history_contacts_and_an_event()
    {
        var org = await CreateOrganisationAsync();
        using var rep = Factory.ClientFor(org.RepA);
        var (customer, _) = await CreateAsync(rep, "华为");
        var contact = await ReadAsync<ContactResponse>(
            await rep.PostAsync($"/api/v1/customers/{customer.Id}/contacts", JsonBody(new { name = "联系人" })), HttpStatusCode.Created);

        await ReadProblemAsync(await rep.PostAsync($"/api/v1/customers/{customer.Id}/release", JsonBody(new { reason = "" })), HttpStatusCode.BadRequest);
        var released = await ReadAsync<CustomerResponse>(await rep.PostAsync($"/api/v1/customers/{customer.Id}/release", JsonBody(new { reason = "没有意向" })), HttpStatusCode.OK);

        using var admin = Factory.ClientFor(org.Admin);
        var history = await ReadAsync<List<OwnerChangeResponse>>(await admin.GetAsync($"/api/v1/customers/{customer.Id}/owner-history"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(released.OwnerId, Is.Null);
            Assert.That(history.Select(h => (h.FromOwnerId, h.ToOwnerId, h.Reason)), Is.EqualTo(new[] { ((Guid?)org.RepA.Id, (Guid?)null, "没有意向") }));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.contacts WHERE id = '{contact.Id}' AND owner_id IS NULL"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomerReleased%'"), Is.EqualTo(1));
        });

        // The former owner now reads it as a pool customer (no owner), and another rep may not release someone else's customer.
        Assert.That((await ReadAsync<CustomerResponse>(await rep.GetAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK)).OwnerId, Is.Null);
        var (other, _) = await CreateAsync(rep, "别人的");
        using var repB = Factory.ClientFor(org.RepB);
        await ReadProblemAsync(await repB.PostAsync($"/api/v1/customers/{other.Id}/release", JsonBody(new { reason = "x" })), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_rep_claims_a_pool_customer_and_a_second_claim_is_already_owned()
    {
        var org = await CreateOrganisationAsync();
        var customer = await PoolCustomerAsync(org, "公海客户");
        using var repB = Factory.ClientFor(org.RepB);
        using var repA = Factory.ClientFor(org.RepA);

        var claimed = await ReadAsync<CustomerResponse>(await repB.PostAsync($"/api/v1/customers/{customer.Id}/claim", null), HttpStatusCode.OK);
        var problem = await ReadProblemAsync(await repA.PostAsync($"/api/v1/customers/{customer.Id}/claim", null), HttpStatusCode.Conflict);
        var history = await ReadAsync<List<OwnerChangeResponse>>(await repB.GetAsync($"/api/v1/customers/{customer.Id}/owner-history"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(claimed.OwnerId, Is.EqualTo(org.RepB.Id));
            Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("already-owned"));
            Assert.That(history[0].FromOwnerId, Is.Null);
            Assert.That(history[0].ToOwnerId, Is.EqualTo(org.RepB.Id));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomerOwnerChanged%'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Concurrent_claims_have_exactly_one_winner()
    {
        var org = await CreateOrganisationAsync();
        var customer = await PoolCustomerAsync(org, "抢手客户");
        var reps = new List<TestUser>();
        for (var i = 0; i < 8; i++)
        {
            reps.Add(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        }

        var responses = await Task.WhenAll(reps.Select(async r =>
        {
            using var client = Factory.ClientFor(r);
            return (await client.PostAsync($"/api/v1/customers/{customer.Id}/claim", null)).StatusCode;
        }));

        Assert.Multiple(async () =>
        {
            Assert.That(responses.Count(s => s == HttpStatusCode.OK), Is.EqualTo(1));
            Assert.That(responses.Count(s => s == HttpStatusCode.Conflict), Is.EqualTo(7));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customer_owner_history WHERE customer_id = '{customer.Id}' AND to_owner_id IS NOT NULL"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Claims_stop_at_the_tier_limit()
    {
        var org = await CreateOrganisationAsync();
        await PutRulesAsync(org, new object[] { new { tier = (string?)null, maxOwnedPerRep = 100 }, new { tier = "A", maxOwnedPerRep = 1 } });
        var first = await PoolCustomerAsync(org, "A类一", "A");
        var second = await PoolCustomerAsync(org, "A类二", "A");
        var other = await PoolCustomerAsync(org, "C类", "C");
        using var repB = Factory.ClientFor(org.RepB);

        await ReadAsync<CustomerResponse>(await repB.PostAsync($"/api/v1/customers/{first.Id}/claim", null), HttpStatusCode.OK);
        var problem = await ReadProblemAsync(await repB.PostAsync($"/api/v1/customers/{second.Id}/claim", null), HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("claim-limit-reached"));
        await ReadAsync<CustomerResponse>(await repB.PostAsync($"/api/v1/customers/{other.Id}/claim", null), HttpStatusCode.OK);
    }

    [Test]
    public async Task Managers_assign_pool_customers_and_reps_cannot()
    {
        var org = await CreateOrganisationAsync();
        var customer = await PoolCustomerAsync(org, "待分配");
        using var repA = Factory.ClientFor(org.RepA);
        using var manager = Factory.ClientFor(org.Manager);

        await ReadProblemAsync(await repA.PostAsync($"/api/v1/customers/{customer.Id}/assign", JsonBody(new { ownerId = org.RepB.Id })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await manager.PostAsync($"/api/v1/customers/{customer.Id}/assign", JsonBody(new { })), HttpStatusCode.BadRequest);
        var assigned = await ReadAsync<CustomerResponse>(await manager.PostAsync($"/api/v1/customers/{customer.Id}/assign", JsonBody(new { ownerId = org.RepB.Id })), HttpStatusCode.OK);
        Assert.That(assigned.OwnerId, Is.EqualTo(org.RepB.Id));
        await ReadProblemAsync(await manager.PostAsync($"/api/v1/customers/{customer.Id}/assign", JsonBody(new { ownerId = org.RepA.Id })), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task The_pool_lists_only_unowned_customers_with_filters()
    {
        var org = await CreateOrganisationAsync();
        var pooled = await PoolCustomerAsync(org, "公海华为", "A");
        await PoolCustomerAsync(org, "公海中兴", "B");
        using var rep = Factory.ClientFor(org.RepB);
        await CreateAsync(rep, new { kind = "organization", name = "自己的客户", tier = "A" });

        var all = await ReadAsync<Page<CustomerResponse>>(await rep.GetAsync("/api/v1/customers/pool"), HttpStatusCode.OK);
        var tierA = await ReadAsync<Page<CustomerResponse>>(await rep.GetAsync("/api/v1/customers/pool?tier=A"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(all.Items.Select(c => c.Name), Is.EquivalentTo(new[] { "公海华为", "公海中兴" }));
            Assert.That(all.Items.All(c => c.OwnerId is null), Is.True);
            Assert.That(tierA.Items.Select(c => c.Id), Is.EqualTo(new[] { pooled.Id }));
        });
    }

    [Test]
    public async Task Pool_rules_are_for_admins_and_validated()
    {
        var org = await CreateOrganisationAsync();
        using var manager = Factory.ClientFor(org.Manager);
        using var admin = Factory.ClientFor(org.Admin);
        await ReadProblemAsync(await manager.GetAsync("/api/v1/customers/pool/rules"), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await manager.PutAsync("/api/v1/customers/pool/rules", JsonBody(new { rules = Array.Empty<object>() })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await admin.PutAsync("/api/v1/customers/pool/rules",
            JsonBody(new { rules = new object[] { new { tier = "A", maxOwnedPerRep = 0 }, new { tier = "A" } } })), HttpStatusCode.BadRequest);

        await PutRulesAsync(org, new object[] { new { tier = "A", maxOwnedPerRep = 5, reclaimAfterDaysWithoutFollowUp = 30, reclaimAfterDaysWithoutWonDeal = 90 }, new { tier = (string?)null, maxOwnedPerRep = 50 } });
        var rules = await ReadAsync<PoolRulesDto>(await admin.GetAsync("/api/v1/customers/pool/rules"), HttpStatusCode.OK);
        Assert.That(rules.Rules, Is.EqualTo(new[] { new PoolRuleDto(null, 50, null, null), new PoolRuleDto("A", 5, 30, 90) }));
    }

    [Test]
    public async Task Reclaim_moves_stale_customers_to_the_pool_once()
    {
        var org = await CreateOrganisationAsync();
        await PutRulesAsync(org, new object[] { new { tier = (string?)null, reclaimAfterDaysWithoutFollowUp = 30 }, new { tier = "VIP" } });
        using var rep = Factory.ClientFor(org.RepA);
        var (stale, _) = await CreateAsync(rep, "久未跟进");
        var (fresh, _) = await CreateAsync(rep, "刚跟进");
        var (vip, _) = await CreateAsync(rep, new { kind = "organization", name = "VIP不回收", tier = "VIP" });
        await ReadAsync<ContactResponse>(await rep.PostAsync($"/api/v1/customers/{stale.Id}/contacts", JsonBody(new { name = "联系人" })), HttpStatusCode.Created);
        await CountAsync($"WITH u AS (UPDATE customers.customers SET created_at = created_at - interval '40 days' RETURNING 1) SELECT count(*) FROM u");
        await CountAsync($"WITH u AS (UPDATE customers.customers SET last_follow_up_at = '{Factory.Time.GetUtcNow().AddDays(-2):O}' WHERE id = '{fresh.Id}' RETURNING 1) SELECT count(*) FROM u");

        await using var scope = Factory.Services.CreateAsyncScope();
        var reclaimer = scope.ServiceProvider.GetRequiredService<PoolReclaimer>();
        var first = await reclaimer.RunAsync(CancellationToken.None);
        await using var scope2 = Factory.Services.CreateAsyncScope();
        var second = await scope2.ServiceProvider.GetRequiredService<PoolReclaimer>().RunAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(first, Is.EqualTo(1));
            Assert.That(second, Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE owner_id IS NULL"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE owner_id IS NULL AND id = '{stale.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customer_owner_history WHERE customer_id = '{stale.Id}' AND from_owner_id = '{org.RepA.Id}' AND to_owner_id IS NULL"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customer_owner_history"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.contacts WHERE customer_id = '{stale.Id}' AND owner_id IS NULL"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomersReclaimed%'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND affected_count = 1"), Is.EqualTo(1));
        });
        Assert.That(vip.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public async Task Reclaim_counts_the_follow_up_period_from_the_latest_of_follow_up_claim_or_transfer_and_creation()
    {
        var org = await CreateOrganisationAsync();
        await PutRulesAsync(org, new object[] { new { tier = (string?)null, reclaimAfterDaysWithoutFollowUp = 30 } });
        using var repB = Factory.ClientFor(org.RepB);
        using var manager = Factory.ClientFor(org.Manager);
        var claimed = await PoolCustomerAsync(org, "刚从公海认领");
        var claimedLongAgo = await PoolCustomerAsync(org, "很久前认领");
        using var repA = Factory.ClientFor(org.RepA);
        var (transferred, _) = await CreateAsync(repA, "刚移交");
        await ReadAsync<CustomerResponse>(await repB.PostAsync($"/api/v1/customers/{claimed.Id}/claim", null), HttpStatusCode.OK);
        await ReadAsync<CustomerResponse>(await repB.PostAsync($"/api/v1/customers/{claimedLongAgo.Id}/claim", null), HttpStatusCode.OK);
        await ReadAsync<CustomerResponse>(
            await manager.PostAsync($"/api/v1/customers/{transferred.Id}/transfer", JsonBody(new { newOwnerId = org.RepB.Id, reason = "李销售离职" })), HttpStatusCode.OK);
        await CountAsync("WITH u AS (UPDATE customers.customers SET created_at = created_at - interval '60 days' RETURNING 1) SELECT count(*) FROM u");
        await CountAsync($"WITH u AS (UPDATE customers.customers SET last_follow_up_at = '{Factory.Time.GetUtcNow().AddDays(-45):O}' WHERE id = '{transferred.Id}' RETURNING 1) SELECT count(*) FROM u");
        await CountAsync($"WITH u AS (UPDATE customers.customer_owner_history SET at = at - interval '40 days' WHERE customer_id = '{claimedLongAgo.Id}' RETURNING 1) SELECT count(*) FROM u");

        await using var scope = Factory.Services.CreateAsyncScope();
        var moved = await scope.ServiceProvider.GetRequiredService<PoolReclaimer>().RunAsync(CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(moved, Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE owner_id IS NULL AND id = '{claimedLongAgo.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE owner_id = '{org.RepB.Id}' AND id IN ('{claimed.Id}', '{transferred.Id}')"), Is.EqualTo(2));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customer_owner_history WHERE customer_id = '{claimedLongAgo.Id}' AND to_owner_id IS NULL AND reason = '{PoolReclaimer.Reason}' AND from_owner_id = '{org.RepB.Id}'"), Is.EqualTo(1));
        });
    }
}
