using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Identity.Features.Teams;
using Crm.Modules.Identity.Features.Users;
using Crm.SharedKernel.Paging;

namespace Crm.IntegrationTests.Identity;

internal sealed class UserManagementTests : IntegrationTest
{
    private HttpClient _admin = null!;

    [SetUp]
    public async Task SignInAdminAsync() => _admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));

    [TearDown]
    public void DisposeAdmin() => _admin.Dispose();

    private static HttpRequestMessage Patch(string url, string json, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json") };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    private async Task<(UserResponse User, string ETag)> CreateUserAsync(string email = "li.lei@example.cn", Guid? teamId = null)
    {
        var response = await _admin.PostAsync("/api/v1/users", JsonBody(new { email, name = "李雷", password = "Passw0rd-1", roles = new[] { "salesRep" }, phone = "13912345678", teamId }));
        var user = await ReadAsync<UserResponse>(response, HttpStatusCode.Created);
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/users/{user.Id}"));
        return (user, response.Headers.ETag!.ToString());
    }

    [Test]
    public async Task An_admin_creates_a_user_who_can_then_sign_in()
    {
        var (user, _) = await CreateUserAsync();

        var signIn = await Client.PostAsync("/api/v1/auth/token", JsonBody(new { email = "LI.LEI@example.cn", password = "Passw0rd-1" }));

        Assert.Multiple(() =>
        {
            Assert.That(user.Name, Is.EqualTo("李雷"));
            Assert.That(user.Roles, Is.EqualTo(new[] { "salesRep" }));
            Assert.That(user.Active, Is.True);
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task A_duplicate_email_is_409_whatever_its_case()
    {
        await CreateUserAsync();
        var response = await _admin.PostAsync("/api/v1/users", JsonBody(new { email = "Li.Lei@Example.cn", name = "x", password = "Passw0rd-1", roles = new[] { "salesRep" } }));
        var problem = await ReadProblemAsync(response, HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/email-taken"));
    }

    [Test]
    public async Task Invalid_users_are_400_with_every_field_named()
    {
        var response = await _admin.PostAsync("/api/v1/users", JsonBody(new { email = "not-an-email", name = "", password = "short", roles = new[] { "king" } }));
        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "email", "name", "password", "roles" }));
    }

    [Test]
    public async Task A_reference_to_a_missing_team_is_422()
    {
        var response = await _admin.PostAsync("/api/v1/users", JsonBody(new { email = "a@b.cn", name = "x", password = "Passw0rd-1", roles = new[] { "salesRep" }, teamId = Guid.NewGuid() }));
        await ReadProblemAsync(response, HttpStatusCode.UnprocessableEntity);
    }

    [Test]
    public async Task A_merge_patch_changes_only_the_members_sent_and_null_clears()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var (user, etag) = await CreateUserAsync(teamId: team);

        var response = await _admin.SendAsync(Patch($"/api/v1/users/{user.Id}", """{"name":"韩梅梅","phone":null}""", etag));

        var patched = await ReadAsync<UserResponse>(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(patched.Name, Is.EqualTo("韩梅梅"));
            Assert.That(patched.Phone, Is.Null);
            Assert.That(patched.TeamId, Is.EqualTo(team));
            Assert.That(patched.Roles, Is.EqualTo(user.Roles));
            Assert.That(response.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
        });
    }

    [Test]
    public async Task A_patch_with_a_stale_etag_is_412()
    {
        var (user, etag) = await CreateUserAsync();
        Assert.That((await _admin.SendAsync(Patch($"/api/v1/users/{user.Id}", """{"name":"A"}""", etag))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await ReadProblemAsync(await _admin.SendAsync(Patch($"/api/v1/users/{user.Id}", """{"name":"B"}""", etag)), HttpStatusCode.PreconditionFailed);
    }

    [Test]
    public async Task Deactivating_keeps_the_user_and_stops_their_tokens_at_once()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var repClient = Factory.ClientFor(rep);
        Assert.That((await repClient.GetAsync("/api/v1/me")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var deactivated = await ReadAsync<UserResponse>(await _admin.PostAsync($"/api/v1/users/{rep.Id}/deactivate", null), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(deactivated.Active, Is.False);
            Assert.That(deactivated.DeactivatedAt, Is.Not.Null);
            Assert.That((await repClient.GetAsync("/api/v1/me")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await _admin.GetAsync($"/api/v1/users/{rep.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });

        var reactivated = await ReadAsync<UserResponse>(await _admin.PostAsync($"/api/v1/users/{rep.Id}/reactivate", null), HttpStatusCode.OK);
        Assert.That(reactivated.Active, Is.True);
    }

    [Test]
    public async Task Users_change_their_own_password_with_the_current_one()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, withPassword: true);
        using var client = Factory.ClientFor(rep);

        var wrong = await client.PostAsync("/api/v1/me/password", JsonBody(new { newPassword = "Another-pass-2", currentPassword = "nope" }));
        var right = await client.PostAsync("/api/v1/me/password", JsonBody(new { newPassword = "Another-pass-2", currentPassword = rep.Password }));

        Assert.That((await ReadProblemAsync(wrong, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("currentPassword", out _), Is.True);
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await Client.PostAsync("/api/v1/auth/token", JsonBody(new { email = rep.Email, password = "Another-pass-2" }))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Users_are_listed_with_filters_and_keyset_pages()
    {
        await CreateUserAsync("a@example.cn");
        await CreateUserAsync("b@example.cn");
        await CreateUserAsync("c@example.cn");

        var page = await ReadAsync<Page<UserResponse>>(await _admin.GetAsync("/api/v1/users?role=salesRep&limit=2&sort=email"), HttpStatusCode.OK);
        var next = await ReadAsync<Page<UserResponse>>(await _admin.GetAsync($"/api/v1/users?role=salesRep&limit=2&sort=email&cursor={page.NextCursor}"), HttpStatusCode.OK);

        Assert.That(page.Items.Select(u => u.Email).Concat(next.Items.Select(u => u.Email)), Is.EqualTo(new[] { "a@example.cn", "b@example.cn", "c@example.cn" }));
        Assert.That(next.NextCursor, Is.Null);
        await ReadProblemAsync(await _admin.GetAsync("/api/v1/users?role=king"), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_user_cannot_be_their_own_manager()
    {
        var (user, _) = await CreateUserAsync();
        var response = await _admin.SendAsync(Patch($"/api/v1/users/{user.Id}", $$"""{"managerId":"{{user.Id}}"}"""));
        Assert.That((await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("managerId", out _), Is.True);
    }

    [Test]
    public async Task An_unknown_user_is_404()
    {
        await ReadProblemAsync(await _admin.GetAsync($"/api/v1/users/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Teams_form_a_company_department_group_tree()
    {
        var company = await ReadAsync<TeamResponse>(await _admin.PostAsync("/api/v1/teams", JsonBody(new { name = "演示公司", kind = "company" })), HttpStatusCode.Created);
        var department = await ReadAsync<TeamResponse>(await _admin.PostAsync("/api/v1/teams", JsonBody(new { name = "销售部", kind = "department", parentId = company.Id })), HttpStatusCode.Created);

        var orphanGroup = await _admin.PostAsync("/api/v1/teams", JsonBody(new { name = "小组", kind = "group" }));
        var groupUnderCompany = await _admin.PostAsync("/api/v1/teams", JsonBody(new { name = "小组", kind = "group", parentId = company.Id }));
        var group = await _admin.PostAsync("/api/v1/teams", JsonBody(new { name = "华东组", kind = "group", parentId = department.Id }));

        Assert.That((await ReadProblemAsync(orphanGroup, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/invalid-team-parent"));
        await ReadProblemAsync(groupUnderCompany, HttpStatusCode.UnprocessableEntity);
        Assert.That(group.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        var children = await ReadAsync<Page<TeamResponse>>(await _admin.GetAsync($"/api/v1/teams?parentId={company.Id}"), HttpStatusCode.OK);
        Assert.That(children.Items.Select(t => t.Name), Is.EqualTo(new[] { "销售部" }));
    }

    [Test]
    public async Task A_sales_rep_may_read_users_but_not_change_them()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var client = Factory.ClientFor(rep);

        Assert.That((await client.GetAsync("/api/v1/users")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await ReadProblemAsync(await client.PostAsync($"/api/v1/users/{rep.Id}/deactivate", null), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task An_admin_cannot_deactivate_themselves()
    {
        var admin = await TestUsers.CreateAsync(Factory, Roles.Admin);
        using var client = Factory.ClientFor(admin);
        await ReadProblemAsync(await client.PostAsync($"/api/v1/users/{admin.Id}/deactivate", null), HttpStatusCode.UnprocessableEntity);
    }
}
