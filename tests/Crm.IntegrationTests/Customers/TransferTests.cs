using System.Net;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Transfers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Npgsql;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class TransferTests : IntegrationTest
{
    private sealed record Org(TestUser Manager, TestUser RepA, TestUser RepB, TestUser Outsider, TestUser Admin);

    private async Task<Org> CreateOrganisationAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group, sales);
        var service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, company);
        return new Org(
            await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, east),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, east),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, service),
            await TestUsers.CreateAsync(Factory, Roles.Admin, company));
    }

    private async Task<(CustomerResponse Customer, string ETag)> CreateForAsync(TestUser user, string name)
    {
        using var client = Factory.ClientFor(user);
        return await CreateAsync(client, name);
    }

    [Test]
    public async Task A_manager_transfers_a_customer_in_their_team_with_history_contacts_and_an_event()
    {
        var org = await CreateOrganisationAsync();
        var (customer, etag) = await CreateForAsync(org.RepA, "华为");
        using var repA = Factory.ClientFor(org.RepA);
        var contact = await ReadAsync<ContactResponse>(
            await repA.PostAsync($"/api/v1/customers/{customer.Id}/contacts", JsonBody(new { name = "联系人" })), HttpStatusCode.Created);
        using var manager = Factory.ClientFor(org.Manager);

        var body = JsonBody(new { newOwnerId = org.RepB.Id, reason = "李销售离职" });
        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/customers/{customer.Id}/transfer") { Content = body };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        await ReadProblemAsync(await manager.SendAsync(stale), HttpStatusCode.PreconditionFailed);

        var fresh = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/customers/{customer.Id}/transfer") { Content = JsonBody(new { newOwnerId = org.RepB.Id, reason = "李销售离职" }) };
        fresh.Headers.TryAddWithoutValidation("If-Match", etag);
        var transferred = await ReadAsync<CustomerResponse>(await manager.SendAsync(fresh), HttpStatusCode.OK);
        Assert.That(transferred.OwnerId, Is.EqualTo(org.RepB.Id));

        var history = await ReadAsync<List<OwnerChangeResponse>>(await manager.GetAsync($"/api/v1/customers/{customer.Id}/owner-history"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(history.Select(h => (h.FromOwnerId, h.ToOwnerId, h.Reason, h.ActorId)),
                Is.EqualTo(new[] { ((Guid?)org.RepA.Id, org.RepB.Id, "李销售离职", (Guid?)org.Manager.Id) }));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.contacts WHERE id = '{contact.Id}' AND owner_id = '{org.RepB.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomerOwnerChanged%'"), Is.EqualTo(1));
        });

        // The former owner no longer sees it.
        await ReadProblemAsync(await repA.GetAsync($"/api/v1/customers/{customer.Id}/owner-history"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Reps_may_not_transfer_and_managers_not_outside_their_subtree()
    {
        var org = await CreateOrganisationAsync();
        var (mine, _) = await CreateForAsync(org.RepA, "我的");
        var (outside, _) = await CreateForAsync(org.Outsider, "客服部的");
        using var repA = Factory.ClientFor(org.RepA);
        using var manager = Factory.ClientFor(org.Manager);

        await ReadProblemAsync(await repA.PostAsync($"/api/v1/customers/{mine.Id}/transfer", JsonBody(new { newOwnerId = org.RepB.Id, reason = "x" })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await repA.PostAsync("/api/v1/customers/transfer", JsonBody(new { customerIds = new[] { mine.Id }, newOwnerId = org.RepB.Id, reason = "x" })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await manager.PostAsync($"/api/v1/customers/{outside.Id}/transfer", JsonBody(new { newOwnerId = org.RepB.Id, reason = "x" })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await manager.PostAsync($"/api/v1/customers/{mine.Id}/transfer", JsonBody(new { newOwnerId = org.Outsider.Id, reason = "x" })), HttpStatusCode.Forbidden);
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customer_owner_history"), Is.EqualTo(0));
    }

    [Test]
    public async Task Invalid_transfers_are_400_with_field_errors()
    {
        var org = await CreateOrganisationAsync();
        var (customer, _) = await CreateForAsync(org.RepA, "客户");
        using var admin = Factory.ClientFor(org.Admin);

        var single = (await ReadProblemAsync(await admin.PostAsync($"/api/v1/customers/{customer.Id}/transfer", JsonBody(new { reason = "" })), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.That(single.TryGetProperty("newOwnerId", out _) && single.TryGetProperty("reason", out _), Is.True, single.ToString());

        var both = (await ReadProblemAsync(await admin.PostAsync("/api/v1/customers/transfer",
            JsonBody(new { customerIds = new[] { customer.Id }, filter = new { ownerId = org.RepA.Id }, newOwnerId = org.RepB.Id, reason = "x" })), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.That(both.TryGetProperty("customerIds", out _), Is.True, both.ToString());

        var tooMany = (await ReadProblemAsync(await admin.PostAsync("/api/v1/customers/transfer",
            JsonBody(new { customerIds = Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid()).ToArray(), newOwnerId = org.RepB.Id, reason = "x" })), HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.That(tooMany.TryGetProperty("customerIds", out _), Is.True, tooMany.ToString());
    }

    [Test]
    public async Task A_bulk_transfer_by_ids_reports_the_ids_it_could_not_see()
    {
        var org = await CreateOrganisationAsync();
        var (a, _) = await CreateForAsync(org.RepA, "甲");
        var (outside, _) = await CreateForAsync(org.Outsider, "客服部的");
        using var manager = Factory.ClientFor(org.Manager);
        var result = await ReadAsync<BulkTransferResponse>(await manager.PostAsync("/api/v1/customers/transfer",
            JsonBody(new { customerIds = new[] { a.Id, outside.Id }, newOwnerId = org.RepB.Id, reason = "调整" })), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(result.Transferred, Is.EqualTo(1));
            Assert.That(result.NotFound, Is.EqualTo(new[] { outside.Id }));
        });
    }

    [Test]
    public async Task A_bulk_transfer_by_filter_moves_2000_customers_with_2000_history_rows_one_audit_summary_and_one_event()
    {
        var org = await CreateOrganisationAsync();
        await using (var connection = new NpgsqlConnection(IntegrationTestRun.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO customers.customers (id, kind, name, phones, emails, tags, relationship_type, lifecycle_stage, status,
                    owner_id, is_key_account, is_potential_key_account, outstanding_balance, currency, created_at, updated_at, search_text, name_bigrams)
                SELECT gen_random_uuid(), 'Organization', '批量客户' || n, '{}', '{}', '{}', 'Basic', 'Potential', 'Active',
                    @owner, false, false, 0, 'CNY', now(), now(), '批量客户' || n, '{}'
                FROM generate_series(1, 2000) AS n
                """, connection);
            insert.Parameters.AddWithValue("owner", org.RepA.Id);
            await insert.ExecuteNonQueryAsync();
        }

        using var admin = Factory.ClientFor(org.Admin);
        var response = await admin.PostAsync("/api/v1/customers/transfer", JsonBody(new { filter = new { ownerId = org.RepA.Id }, newOwnerId = org.RepB.Id, reason = "区域调整" }));
        var result = await ReadAsync<BulkTransferResponse>(response, HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(result.Transferred, Is.EqualTo(2000));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE owner_id = '{org.RepB.Id}'"), Is.EqualTo(2000));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM customers.customer_owner_history WHERE transfer_id = '{result.TransferId}' AND from_owner_id = '{org.RepA.Id}' AND to_owner_id = '{org.RepB.Id}' AND actor_id = '{org.Admin.Id}'"),
                Is.EqualTo(2000));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND affected_count = 2000"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomersTransferred%' AND jsonb_array_length(payload->'customerIds') = 2000"), Is.EqualTo(1));
        });
    }
}
