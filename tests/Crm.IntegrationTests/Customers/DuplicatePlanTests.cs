using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Features.Duplicates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Customers;

/// <summary>
/// Duplicate detection reads one index per key (docs/adr/0011-customer-duplicates-and-merge.md), proven on the plan
/// PostgreSQL chooses for the exact SQL <see cref="CustomerDuplicateFinder"/> sends, over 20,000 customers.
/// </summary>
internal sealed class DuplicatePlanTests : IntegrationTest
{
    private const int Rows = 20_000;

    [SetUp]
    public async Task SeedAsync()
    {
        await CountAsync($"""
            WITH seed AS (SELECT i, '客户' || i AS name, '139' || lpad(i::text, 8, '0') AS phone, 'sales' || i || '@example.com' AS email
                          FROM generate_series(1, {Rows}) AS i),
            inserted AS (
                INSERT INTO customers.customers (id, kind, name, phones, emails, tags, relationship_type, lifecycle_stage, status,
                    is_key_account, is_potential_key_account, outstanding_balance, currency, created_at, updated_at, search_text, name_bigrams,
                    name_key, phone_keys)
                SELECT gen_random_uuid(), 'Organization', name, ARRAY[phone], ARRAY[email], ARRAY[]::text[], 'Basic', 'Potential', 'Active',
                       false, false, 0, 'CNY', now() - i * interval '1 minute', now(), lower(name), ARRAY[]::text[], name, ARRAY[phone]
                FROM seed
                RETURNING 1)
            SELECT count(*) FROM inserted
            """);
        await CountAsync("VACUUM ANALYZE customers.customers");
    }

    private static async Task<string> PlanAsync(CustomerDuplicateKeys keys)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CustomersDbContext>();
        var query = CustomerDuplicateFinder.Query(db.Customers.AsNoTracking(), keys, DuplicateGuard.CandidateLimit)!;

        return await ExplainAsync(query);
    }

    [Test]
    public async Task All_four_keys_are_one_BitmapOr_over_their_indexes()
    {
        var plan = await PlanAsync(new CustomerDuplicateKeys("客户123有限公司", ["+86 139 0000 0456"], ["SALES789@example.com"], "91350100M000100Y43"));

        Assert.Multiple(() =>
        {
            Assert.That(plan, Does.Contain("BitmapOr"));
            Assert.That(plan, Does.Contain($"Bitmap Index Scan on {CustomersDbContext.NameKeyIndex}"));
            Assert.That(plan, Does.Contain($"Bitmap Index Scan on {CustomersDbContext.PhoneKeysIndex}"));
            Assert.That(plan, Does.Contain($"Bitmap Index Scan on {CustomersDbContext.EmailsIndex}"));
            Assert.That(plan, Does.Contain("Bitmap Index Scan on ix_customers_registration_number"));
            Assert.That(plan, Does.Not.Contain("Seq Scan"));
        });
    }

    [Test]
    public async Task A_phone_alone_uses_the_array_overlap_on_the_phone_keys_index()
    {
        var plan = await PlanAsync(new CustomerDuplicateKeys(Phones: ["13900000456"]));

        Assert.That(plan, Does.Contain($"Bitmap Index Scan on {CustomersDbContext.PhoneKeysIndex}"));
        Assert.That(plan, Does.Contain("&&"));
        Assert.That(plan, Does.Not.Contain("Seq Scan"));
    }

    [Test]
    public async Task The_finder_returns_the_seeded_matches()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var check = scope.ServiceProvider.GetRequiredService<ICustomerDuplicateCheck>();

        var found = await check.FindAsync(new CustomerDuplicateKeys("客户123 Co., Ltd.", ["+86 139 0000 0456"]), 20, CancellationToken.None);

        Assert.That(found.Select(f => (f.Name, string.Join(",", f.MatchedOn))), Is.EquivalentTo(new[] { ("客户123", "name"), ("客户456", "phone") }));
    }

    [TestCase(CustomersDbContext.PhoneKeysIndex)]
    [TestCase(CustomersDbContext.EmailsIndex)]
    public async Task The_key_indexes_have_no_pending_list_for_lookups_to_scan(string index)
    {
        var withoutFastUpdate = await CountAsync($"""
            SELECT count(*) FROM pg_class
            WHERE relname = '{index}' AND relnamespace = 'customers'::regnamespace
              AND EXISTS (SELECT 1 FROM unnest(reloptions) AS o WHERE o IN ('fastupdate=false', 'fastupdate=off'))
            """);

        Assert.That(withoutFastUpdate, Is.EqualTo(1), "an import chunk looks up thousands of keys; each would scan the whole GIN pending list");
    }
}
