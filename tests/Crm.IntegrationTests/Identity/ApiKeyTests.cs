using System.Net;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;

namespace Crm.IntegrationTests.Identity;

internal sealed class ApiKeyTests : IntegrationTest
{
    private async Task<(HttpClient Admin, Guid Id, string Key)> CreateKeyAsync(params string[] scopes)
    {
        var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var response = await admin.PostAsync("/api/v1/api-keys", JsonBody(new { name = "ERP 同步", scopes }));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), body.ToString());
        return (admin, body.GetProperty("apiKey").GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!);
    }

    private HttpClient KeyClient(string key)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    [Test]
    public async Task A_key_works_within_its_scopes_and_is_listed_without_its_secret()
    {
        var (admin, id, key) = await CreateKeyAsync(Permissions.UsersRead);
        using var client = KeyClient(key);

        var allowed = await client.GetAsync("/api/v1/users");
        var outOfScope = await client.PostAsync("/api/v1/teams", JsonBody(new { name = "X", kind = "company" }));
        var listing = await admin.GetStringAsync("/api/v1/api-keys");

        Assert.Multiple(async () =>
        {
            Assert.That(key, Does.StartWith("crm_"));
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await ReadProblemAsync(outOfScope, HttpStatusCode.Forbidden);
            // The prefix has no underscore; the secret (base64url) may, so it is everything after the prefix's.
            Assert.That(listing, Does.Contain(id.ToString()).And.Not.Contain(key[(key.IndexOf('_', 4) + 1)..]));
            Assert.That(listing, Does.Contain("lastUsedAt\":\"20"));
        });
        admin.Dispose();
    }

    [Test]
    public async Task A_revoked_key_is_refused_at_once()
    {
        var (admin, id, key) = await CreateKeyAsync(Permissions.UsersRead);
        using var client = KeyClient(key);
        Assert.That((await client.GetAsync("/api/v1/users")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await admin.DeleteAsync($"/api/v1/api-keys/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        await ReadProblemAsync(await client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
        admin.Dispose();
    }

    [Test]
    public async Task A_key_is_readable_with_its_etag_and_revoking_honours_if_match()
    {
        var (admin, id, _) = await CreateKeyAsync(Permissions.UsersRead);
        var get = await admin.GetAsync($"/api/v1/api-keys/{id}");
        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var stale = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/api-keys/{id}");
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        await ReadProblemAsync(await admin.SendAsync(stale), HttpStatusCode.PreconditionFailed);

        var current = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/api-keys/{id}");
        current.Headers.TryAddWithoutValidation("If-Match", get.Headers.ETag!.ToString());
        Assert.That((await admin.SendAsync(current)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        admin.Dispose();
    }

    [Test]
    public async Task A_refused_key_is_told_which_scheme_to_use()
    {
        using var client = KeyClient("crm_aaaaaaaaaaaa_wrong-secret");
        var response = await client.GetAsync("/api/v1/users");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("ApiKey"));
    }

    [TestCase("crm_nope")]
    [TestCase("crm_aaaaaaaaaaaa_wrong-secret")]
    public async Task An_unknown_or_malformed_key_is_401(string key)
    {
        using var client = KeyClient(key);
        await ReadProblemAsync(await client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_key_with_the_right_prefix_and_a_wrong_secret_is_401()
    {
        var (admin, _, key) = await CreateKeyAsync(Permissions.UsersRead);
        using var client = KeyClient(key[..^4] + "AAAA");
        await ReadProblemAsync(await client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
        admin.Dispose();
    }

    [Test]
    public async Task Unknown_scopes_are_400_and_only_admins_manage_keys()
    {
        var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var manager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager));

        var badScope = await admin.PostAsync("/api/v1/api-keys", JsonBody(new { name = "x", scopes = new[] { "everything:all" } }));
        var notAdmin = await manager.PostAsync("/api/v1/api-keys", JsonBody(new { name = "x", scopes = new[] { Permissions.UsersRead } }));

        Assert.That((await ReadProblemAsync(badScope, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("scopes", out _), Is.True);
        await ReadProblemAsync(notAdmin, HttpStatusCode.Forbidden);
        admin.Dispose();
        manager.Dispose();
    }

    [Test]
    public async Task An_expired_key_is_refused()
    {
        var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var response = await admin.PostAsync("/api/v1/api-keys", JsonBody(new { name = "short", scopes = new[] { Permissions.UsersRead }, expiresAt = Factory.Time.GetUtcNow().AddHours(1) }));
        var key = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        using var client = KeyClient(key);
        Assert.That((await client.GetAsync("/api/v1/users")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Factory.Time.Advance(TimeSpan.FromHours(2));

        await ReadProblemAsync(await client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
        admin.Dispose();
    }
}
