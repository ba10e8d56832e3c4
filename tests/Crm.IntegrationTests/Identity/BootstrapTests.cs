using System.Net;
using System.Net.Http.Json;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Identity;

internal sealed class BootstrapTests
{
    [Test]
    public async Task The_first_admin_comes_from_configuration_once()
    {
        var database = await TestDatabase.CreateAsync("bootstrap");
        var settings = new Dictionary<string, string?>
        {
            ["CRM_BOOTSTRAP_ADMIN_EMAIL"] = "root@corp.example",
            ["CRM_BOOTSTRAP_ADMIN_PASSWORD"] = "Bootstrap-2026",
        };
        for (var start = 0; start < 2; start++)
        {
            await using var factory = new CrmApiFactory(database, withSampleModule: false, settings);
            using var client = factory.CreateClient();
            var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "root@corp.example", password = "Bootstrap-2026" });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        }
    }

    [Test]
    public async Task Demo_users_for_every_role_sign_in_with_the_demo_password()
    {
        var database = await TestDatabase.CreateAsync("demousers");
        await using var factory = new CrmApiFactory(database, withSampleModule: false, new Dictionary<string, string?> { ["Demo:Seed"] = "true" });
        using var client = factory.CreateClient();

        foreach (var email in new[] { "admin", "manager", "rep1", "rep2", "marketing", "agent", "analyst" }.Select(u => $"{u}@demo.local"))
        {
            var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password = "Demo-2026!" });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), email);
        }
    }

    [Test]
    public async Task Without_demo_seeding_there_are_no_demo_users()
    {
        var database = await TestDatabase.CreateAsync("nodemo");
        await using var factory = new CrmApiFactory(database, withSampleModule: false);
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "admin@demo.local", password = "Demo-2026!" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
