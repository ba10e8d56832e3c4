using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Customers;

/// <summary>With <c>Demo:Seed</c> (what <c>eng/run.sh</c> sets) the demo reps start with customers to work on, seeded once.</summary>
internal sealed class DemoCustomersTests
{
    [Test]
    public async Task Demo_seeding_gives_the_demo_reps_their_customers_once_searchable_and_on_the_timeline()
    {
        var database = await TestDatabase.CreateAsync("democustomers");
        for (var start = 0; start < 2; start++)
        {
            await using var factory = new CrmApiFactory(database, withSampleModule: false, new Dictionary<string, string?> { ["Demo:Seed"] = "true" });
            using var client = factory.CreateClient();

            Assert.Multiple(async () =>
            {
                Assert.That(await TotalAsync(client, "rep1", "/api/v1/customers?includeTotal=true"), Is.EqualTo(3), "rep1 sees their own");
                Assert.That(await TotalAsync(client, "rep2", "/api/v1/customers?includeTotal=true"), Is.EqualTo(2), "rep2 sees their own");
                Assert.That(await TotalAsync(client, "manager", "/api/v1/customers?includeTotal=true"), Is.EqualTo(6), "the manager sees the whole sales department");
            });
        }

        await using (var factory = new CrmApiFactory(database, withSampleModule: false, new Dictionary<string, string?> { ["Demo:Seed"] = "true" }))
        {
            using var client = factory.CreateClient();
            await SignInAsync(client, "admin");
            using var found = JsonDocument.Parse(await client.GetStringAsync("/api/v1/customers?q=华信"));
            var customer = found.RootElement.GetProperty("items").EnumerateArray().Single();
            Assert.Multiple(() =>
            {
                Assert.That(customer.GetProperty("externalId").GetString(), Is.EqualTo("DEMO-0001"));
                Assert.That(customer.GetProperty("name").GetString(), Is.EqualTo("深圳华信科技有限公司"));
                Assert.That(customer.GetProperty("regionCode").GetString(), Is.EqualTo("440305"));
                Assert.That(customer.GetProperty("code").GetString(), Does.StartWith("C"));
            });

            await using var connection = new Npgsql.NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var events = new Npgsql.NpgsqlCommand(
                "SELECT count(*) FROM customers.outbox_messages WHERE type = 'Crm.Modules.Customers.Contracts.CustomerCreated'", connection);
            Assert.That(await events.ExecuteScalarAsync(), Is.EqualTo(6L), "one CustomerCreated per demo customer, as the API raises it");
        }
    }

    private static async Task SignInAsync(HttpClient client, string user)
    {
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = $"{user}@demo.local", password = "Demo-2026!" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.RootElement.GetProperty("accessToken").GetString());
    }

    private static async Task<int> TotalAsync(HttpClient client, string user, string path)
    {
        await SignInAsync(client, user);
        using var page = JsonDocument.Parse(await client.GetStringAsync(path));
        return page.RootElement.GetProperty("total").GetInt32();
    }
}
