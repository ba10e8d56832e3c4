using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Customers;

/// <summary>
/// The search design of docs/adr/0010-cjk-search.md, proven on the plans PostgreSQL chooses for the exact SQL the
/// list endpoint sends (built by the same <see cref="CustomerQuery"/>), over 20,000 customers.
/// </summary>
internal sealed class CustomerSearchPlanTests : IntegrationTest
{
    private const int Rows = 20_000;

    [SetUp]
    public async Task SeedAsync()
    {
        // Names from a spread of CJK characters (so no bigram is common), a phone and an email per row, plus a
        // few rows carrying the terms searched for. The bigrams are computed the way CustomerSearch does.
        await CountAsync($"""
            WITH seed AS (
                SELECT i,
                       CASE WHEN i % 5000 = 0 THEN '华为技术' || i ELSE chr(19968 + (i * 7919) % 20000) || chr(19968 + (i * 104729) % 20000) || chr(19968 + (i * 31) % 20000) || '贸易' END AS name,
                       CASE WHEN i % 5000 = 0 THEN 'huawei' || i || '@example.com' ELSE 'sales' || i || '@example.com' END AS email
                FROM generate_series(1, {Rows}) AS i
            )
            INSERT INTO customers.customers (id, kind, name, phones, emails, tags, relationship_type, lifecycle_stage, status,
                is_key_account, is_potential_key_account, outstanding_balance, currency, created_at, updated_at, search_text, name_bigrams)
            SELECT gen_random_uuid(), 'Organization', name, ARRAY['139' || lpad(i::text, 8, '0')], ARRAY[email], ARRAY[]::text[], 'Basic', 'Potential', 'Active',
                   false, false, 0, 'CNY', now() - i * interval '1 minute', now(), lower(name) || ' 139' || lpad(i::text, 8, '0') || ' ' || email,
                   ARRAY(SELECT DISTINCT lower(substr(name, k, 2)) FROM generate_series(1, char_length(name) - 1) AS k)
            FROM seed
            RETURNING 1
            """);

        // VACUUM as autovacuum would after a bulk load: it moves the rows out of the GIN pending lists (which
        // every scan would otherwise read in full, so the planner rightly avoids the indexes) and gathers stats.
        await CountAsync("VACUUM ANALYZE customers.customers");
    }

    private static async Task<string> PlanAsync(string q)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CustomersDbContext>();
        var query = CustomerQuery.Apply(db.Customers.AsNoTracking(), new CustomerFilter(Q: q))
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            .Select(CustomerProjection.ToResponse)
            .Take(51);

        return await ExplainAsync(query);
    }

    [Test]
    public async Task A_two_character_Chinese_query_uses_the_bigram_index_through_array_containment()
    {
        var plan = await PlanAsync("华为");

        Assert.That(plan, Does.Contain($"Bitmap Index Scan on {CustomersDbContext.NameBigramsIndex}"));
        Assert.That(plan, Does.Contain("@>").Or.Contain("<@"));
        Assert.That(plan, Does.Not.Contain("ANY"));
    }

    [TestCase("华为技术")]
    [TestCase("huawei")]
    [TestCase("0019999")]
    public async Task Queries_of_three_or_more_characters_use_the_trigram_index(string q)
    {
        var plan = await PlanAsync(q);

        Assert.That(plan, Does.Contain($"Bitmap Index Scan on {CustomersDbContext.SearchTextIndex}"));
        Assert.That(plan, Does.Not.Contain("Seq Scan"));
    }

    [Test]
    public async Task An_unselective_fragment_walks_the_created_at_index_and_stops_at_the_page_size_instead()
    {
        // Every seeded phone contains "0001": reading newest first and stopping after 51 matches is cheaper than
        // collecting a thousand matches from the trigram index and sorting them. The planner knows; this pins it.
        var plan = await PlanAsync("0001");

        Assert.That(plan, Does.Contain("Index Scan Backward using ix_customers_created_at_id"));
    }

    [Test]
    public async Task The_list_endpoint_finds_the_same_rows_the_plans_were_taken_for()
    {
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Crm.Modules.Identity.Contracts.Roles.Admin));
        var page = await ReadAsync<CustomerCrudTests.ListPage>(await admin.GetAsync("/api/v1/customers?q=华为&includeTotal=true"), System.Net.HttpStatusCode.OK);
        Assert.That(page.Total, Is.EqualTo(Rows / 5000));
        Assert.That(page.Items.Select(c => c.Status), Is.All.EqualTo(CustomerStatus.Active));
    }
}
