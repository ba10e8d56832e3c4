using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Microsoft.AspNetCore.Mvc.Testing;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

/// <summary>
/// <c>GET /api/v1/customers/{id}</c> reads its row by hand (docs/adr/0045-customer-by-id-hot-path.md): these pin that it
/// answers what the EF projection answers everywhere else, and applies the same visibility and merge rules.
/// </summary>
internal sealed class CustomerByIdTests : IntegrationTest
{
    [Test]
    public async Task Get_by_id_answers_the_representation_the_list_projects_with_every_field_set()
    {
        var admin = await TestUsers.CreateAsync(Factory, Roles.Admin);
        using var client = Factory.ClientFor(admin);
        var (customer, _) = await CreateAsync(client, "华为技术有限公司");
        // Every nullable column gets a value, so a column read at the wrong ordinal or left out cannot go unnoticed.
        Assert.That(await CountAsync($"""
            WITH u AS (
                UPDATE customers.customers SET
                    external_id = 'ERP-1', short_name = '华为', registration_number = '{CreditCode}', industry = '通信设备',
                    source_channel = '展会', province = '广东省', city = '深圳市', district = '龙岗区', address = '坂田华为基地',
                    phones = ARRAY['075528780808', '13800138000'], emails = ARRAY['a@huawei.com'], website = 'https://huawei.com',
                    tags = ARRAY['战略客户', '5G'], tier = 'A', relationship_type = 'Partner', lifecycle_stage = 'Maturity',
                    team_id = '{Guid.CreateVersion7()}', is_key_account = true, is_potential_key_account = true,
                    credit_limit = 1250000.50, credit_rating = 'AAA', outstanding_balance = 88.10,
                    archived_at = now() - interval '1 day', last_follow_up_at = now() - interval '2 days',
                    next_follow_up_at = now() + interval '3 days', region_code = '440307',
                    custom_fields = '{"{"}"grade": "A", "score": 5, "regions": ["华东", "华南"]{"}"}',
                    blacklist_reason = '拖欠', blacklisted_at = now() - interval '4 days', churned_at = now() - interval '5 days',
                    churn_reason = '价格', churn_competitor = '中兴', churn_stage = 'Growth', last_won_at = now() - interval '6 days'
                WHERE id = '{customer.Id}' RETURNING 1)
            SELECT count(*) FROM u
            """), Is.EqualTo(1));

        var byId = await client.GetAsync($"/api/v1/customers/{customer.Id}");
        var single = JsonNode.Parse(await byId.Content.ReadAsStringAsync())!.AsObject();
        var listed = JsonNode.Parse(await (await client.GetAsync("/api/v1/customers")).Content.ReadAsStringAsync())!["items"]![0]!;

        Assert.Multiple(() =>
        {
            Assert.That(byId.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(single.Where(p => p.Value is null).Select(p => p.Key), Is.Empty, "every field is set");
            Assert.That(JsonNode.DeepEquals(single, listed), Is.True, $"by id:\n{single.ToJsonString()}\nlisted:\n{listed.ToJsonString()}");
            Assert.That(byId.Headers.ETag, Is.Not.Null);
        });
    }

    [Test]
    public async Task The_ETag_of_a_read_is_the_row_version_a_conditional_write_accepts()
    {
        using var client = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var (customer, created) = await CreateAsync(client, "甲");
        var read = await client.GetAsync($"/api/v1/customers/{customer.Id}");
        Assert.That(read.Headers.ETag!.ToString(), Is.EqualTo(created));

        var patched = await client.SendAsync(Patch(customer.Id, """{"tier":"B"}""", read.Headers.ETag!.ToString()));
        var reread = await client.GetAsync($"/api/v1/customers/{customer.Id}");
        Assert.Multiple(() =>
        {
            Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(reread.Headers.ETag!.ToString(), Is.EqualTo(patched.Headers.ETag!.ToString()).And.Not.EqualTo(created));
        });
    }

    [Test]
    public async Task Reps_read_their_own_and_pool_customers_and_get_404_for_others_as_for_unknown_ids()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        var colleague = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        using var repClient = Factory.ClientFor(rep);
        using var colleagueClient = Factory.ClientFor(colleague);
        var (own, _) = await CreateAsync(repClient, "自己的客户");
        var (theirs, _) = await CreateAsync(colleagueClient, "同事的客户");
        var (pooled, _) = await CreateAsync(colleagueClient, "公海客户");
        Assert.That(await CountAsync($"WITH u AS (UPDATE customers.customers SET owner_id = NULL WHERE id = '{pooled.Id}' RETURNING 1) SELECT count(*) FROM u"), Is.EqualTo(1));

        Assert.Multiple(async () =>
        {
            Assert.That((await ReadAsync<CustomerResponse>(await repClient.GetAsync($"/api/v1/customers/{own.Id}"), HttpStatusCode.OK)).Name, Is.EqualTo("自己的客户"));
            Assert.That((await ReadAsync<CustomerResponse>(await repClient.GetAsync($"/api/v1/customers/{pooled.Id}"), HttpStatusCode.OK)).OwnerId, Is.Null);
            var hidden = await ReadProblemAsync(await repClient.GetAsync($"/api/v1/customers/{theirs.Id}"), HttpStatusCode.NotFound);
            var unknown = await ReadProblemAsync(await repClient.GetAsync($"/api/v1/customers/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
            Assert.That(hidden.GetProperty("type").GetString(), Is.EqualTo(unknown.GetProperty("type").GetString()));
        });
    }

    [Test]
    public async Task A_merged_customer_redirects_only_callers_who_may_see_it()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group);
        var owner = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        var stranger = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        using var ownerClient = Factory.ClientFor(owner);
        var (survivor, _) = await CreateAsync(ownerClient, "甲");
        var (loser, _) = await CreateAsync(ownerClient, "乙");
        Assert.That(await CountAsync($"""
            WITH u AS (UPDATE customers.customers SET status = 'Merged', merged_into_id = '{survivor.Id}' WHERE id = '{loser.Id}' RETURNING 1)
            SELECT count(*) FROM u
            """), Is.EqualTo(1));

        using var ownerNoRedirect = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        ownerNoRedirect.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", owner.AccessToken);
        using var strangerClient = Factory.ClientFor(stranger);
        var redirect = await ownerNoRedirect.GetAsync($"/api/v1/customers/{loser.Id}");
        Assert.Multiple(async () =>
        {
            Assert.That(redirect.StatusCode, Is.EqualTo(HttpStatusCode.PermanentRedirect));
            Assert.That(redirect.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/customers/{survivor.Id}"));
            await ReadProblemAsync(await strangerClient.GetAsync($"/api/v1/customers/{loser.Id}"), HttpStatusCode.NotFound);
        });
    }
}
