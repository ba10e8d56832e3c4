using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;

namespace Crm.IntegrationTests.Identity;

internal sealed class AuthenticationTests : IntegrationTest
{
    private sealed record Tokens(string AccessToken, string RefreshToken, int ExpiresIn, string TokenType);

    private Task<HttpResponseMessage> SignInAsync(string email, string password) =>
        Client.PostAsync("/api/v1/auth/token", JsonBody(new { email, password }));

    private async Task<Tokens> SignInOkAsync(TestUser user) => await ReadAsync<Tokens>(await SignInAsync(user.Email, user.Password), HttpStatusCode.OK);

    [Test]
    public async Task Signing_in_returns_a_bearer_token_pair_that_opens_the_api()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);

        var tokens = await SignInOkAsync(user);
        using var client = Factory.ClientWithToken(tokens.AccessToken);
        var me = JsonDocument.Parse(await client.GetStringAsync("/api/v1/me")).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(tokens.TokenType, Is.EqualTo("Bearer"));
            Assert.That(tokens.ExpiresIn, Is.EqualTo(900));
            Assert.That(tokens.RefreshToken, Is.Not.Empty);
            Assert.That(me.GetProperty("user").GetProperty("id").GetGuid(), Is.EqualTo(user.Id));
            Assert.That(me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()), Does.Contain("customers:write").And.Not.Contain("users:write"));
        });
    }

    [Test]
    public async Task Email_is_case_insensitive_at_sign_in()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);
        Assert.That((await SignInAsync(user.Email.ToUpperInvariant(), user.Password)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_401()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);

        var wrong = await ReadProblemAsync(await SignInAsync(user.Email, "Wrong-password-1"), HttpStatusCode.Unauthorized);
        var unknown = await ReadProblemAsync(await SignInAsync("nobody@test.local", "Wrong-password-1"), HttpStatusCode.Unauthorized);

        Assert.That(wrong.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/invalid-credentials"));
        Assert.That(unknown.GetProperty("detail").GetString(), Is.EqualTo(wrong.GetProperty("detail").GetString()));
    }

    [Test]
    public async Task Five_failed_sign_ins_lock_the_account_until_the_lockout_ends()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await ReadProblemAsync(await SignInAsync(user.Email, "Wrong-password-1"), HttpStatusCode.Unauthorized);
        }

        var locked = await SignInAsync(user.Email, user.Password);
        var problem = await ReadProblemAsync(locked, HttpStatusCode.TooManyRequests);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/account-locked"));
            Assert.That(locked.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromMinutes(15)));
        });

        Factory.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        Assert.That((await SignInAsync(user.Email, user.Password)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_deactivated_user_cannot_sign_in()
    {
        var admin = await TestUsers.CreateAsync(Factory, Roles.Admin);
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);
        using var adminClient = Factory.ClientFor(admin);
        Assert.That((await adminClient.PostAsync($"/api/v1/users/{user.Id}/deactivate", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await ReadProblemAsync(await SignInAsync(user.Email, user.Password), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_token_already_accepted_is_still_refused_once_it_expires()
    {
        // Validated tokens are remembered (CachingJsonWebTokenHandler); expiry is still judged by the application clock.
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);
        var tokens = await SignInOkAsync(user);
        using var client = Factory.ClientWithToken(tokens.AccessToken);
        Assert.That((await client.GetAsync("/api/v1/me")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await client.GetAsync("/api/v1/me")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Factory.Time.Advance(TimeSpan.FromMinutes(16));
        await ReadProblemAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task An_access_token_expires_and_the_refresh_token_gets_a_new_pair_once()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);
        var tokens = await SignInOkAsync(user);

        Factory.Time.Advance(TimeSpan.FromMinutes(16));
        using var expired = Factory.ClientWithToken(tokens.AccessToken);
        var rejected = await expired.GetAsync("/api/v1/me");
        await ReadProblemAsync(rejected, HttpStatusCode.Unauthorized);
        Assert.That(rejected.Headers.WwwAuthenticate.ToString(), Does.Contain("Bearer"));

        var refreshed = await ReadAsync<Tokens>(await Client.PostAsync("/api/v1/auth/refresh", JsonBody(new { refreshToken = tokens.RefreshToken })), HttpStatusCode.OK);
        using var renewed = Factory.ClientWithToken(refreshed.AccessToken);
        Assert.That((await renewed.GetAsync("/api/v1/me")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var reused = await Client.PostAsync("/api/v1/auth/refresh", JsonBody(new { refreshToken = tokens.RefreshToken }));
        await ReadProblemAsync(reused, HttpStatusCode.Unauthorized);
        var familyRevoked = await Client.PostAsync("/api/v1/auth/refresh", JsonBody(new { refreshToken = refreshed.RefreshToken }));
        await ReadProblemAsync(familyRevoked, HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Logout_revokes_the_refresh_token_and_all_sessions_revokes_access_tokens_too()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);
        var first = await SignInOkAsync(user);
        var second = await SignInOkAsync(user);

        Assert.That((await Client.PostAsync("/api/v1/auth/logout", JsonBody(new { refreshToken = first.RefreshToken }))).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ReadProblemAsync(await Client.PostAsync("/api/v1/auth/refresh", JsonBody(new { refreshToken = first.RefreshToken })), HttpStatusCode.Unauthorized);
        using var stillIn = Factory.ClientWithToken(second.AccessToken);
        Assert.That((await stillIn.GetAsync("/api/v1/me")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await Client.PostAsync("/api/v1/auth/logout", JsonBody(new { refreshToken = second.RefreshToken, allSessions = true }));

        await ReadProblemAsync(await stillIn.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task No_credentials_is_a_401_problem()
    {
        var response = await Client.GetAsync("/api/v1/users");
        var problem = await ReadProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/unauthorized"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Authorization: Bearer"));
    }

    [TestCase("not-a-jwt")]
    [TestCase("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")]
    public async Task An_invalid_token_is_a_401_problem(string token)
    {
        using var client = Factory.ClientWithToken(token);
        await ReadProblemAsync(await client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.Admin);
        var parts = user.AccessToken.Split('.');
        using var client = Factory.ClientWithToken($"{parts[0]}.{parts[1]}.{new string('A', 43)}");
        await ReadProblemAsync(await client.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_role_without_the_permission_is_a_403_problem()
    {
        var analyst = await TestUsers.CreateAsync(Factory, Roles.Analyst);
        using var client = Factory.ClientFor(analyst);

        var read = await client.GetAsync("/api/v1/users");
        var write = await client.PostAsync("/api/v1/teams", JsonBody(new { name = "X", kind = "company" }));

        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var problem = await ReadProblemAsync(write, HttpStatusCode.Forbidden);
        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/forbidden"));
    }

    [Test]
    public async Task Of_two_concurrent_refreshes_with_one_token_only_one_succeeds()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);
        var tokens = await SignInOkAsync(user);

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Client.PostAsync("/api/v1/auth/refresh", JsonBody(new { refreshToken = tokens.RefreshToken }))));

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(1));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized), Is.EqualTo(3));
    }

    [Test]
    public async Task Failed_sign_ins_write_no_audit_entries_but_a_lockout_does()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            await SignInAsync(user.Email, "Wrong-password-1");
        }

        Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE action = 'updated'"), Is.Zero);
        await SignInAsync(user.Email, "Wrong-password-1");
        Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE action = 'updated' AND changes ? 'lockedUntil'"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_current_user_comes_with_an_etag()
    {
        var user = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var client = Factory.ClientFor(user);
        var response = await client.GetAsync("/api/v1/me");
        Assert.That(response.Headers.ETag, Is.Not.Null);
    }

    [Test]
    public async Task Sign_in_validates_its_input()
    {
        var problem = await ReadProblemAsync(await Client.PostAsJsonAsync("/api/v1/auth/token", new { email = "", password = "" }), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("email", out _), Is.True);
    }
}
