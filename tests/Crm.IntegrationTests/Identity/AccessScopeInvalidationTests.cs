using System.Net;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Identity.Features.Users;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Identity;

/// <summary>
/// The process remembers a user's state and a manager's team subtree (docs/adr/0045-customer-by-id-hot-path.md); every
/// change made through the API must still take effect on the very next request.
/// </summary>
internal sealed class AccessScopeInvalidationTests : IntegrationTest
{
    private HttpClient _admin = null!;
    private Guid _company;

    [SetUp]
    public async Task CreateAdminAsync()
    {
        _company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        _admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin, _company));
    }

    [TearDown]
    public void DisposeAdmin() => _admin.Dispose();

    private static HttpRequestMessage Patch(string url, string json) =>
        new(HttpMethod.Patch, url) { Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json") };

    private async Task<Guid> DepartmentAsync(string name) => await TestUsers.CreateTeamAsync(Factory, name, TeamKind.Department, _company);

    private async Task<Guid> CustomerOfAsync(TestUser owner, string name)
    {
        using var client = Factory.ClientFor(owner);
        return (await CreateAsync(client, name)).Customer.Id;
    }

    private static async Task<HttpStatusCode> StatusOfReadAsync(HttpClient client, Guid customerId) =>
        (await client.GetAsync($"/api/v1/customers/{customerId}")).StatusCode;

    [Test]
    public async Task Moving_a_rep_between_teams_changes_what_the_managers_see_on_the_next_request()
    {
        var sales = await DepartmentAsync("销售部");
        var service = await DepartmentAsync("客服部");
        using var manager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales));
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, service);
        var customer = await CustomerOfAsync(rep, "客服部的客户");
        Assert.That(await StatusOfReadAsync(manager, customer), Is.EqualTo(HttpStatusCode.NotFound));

        var moved = await _admin.SendAsync(Patch($"/api/v1/users/{rep.Id}", $$"""{"teamId":"{{sales}}"}"""));
        Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await StatusOfReadAsync(manager, customer), Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await _admin.SendAsync(Patch($"/api/v1/users/{rep.Id}", $$"""{"teamId":"{{service}}"}"""))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await StatusOfReadAsync(manager, customer), Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Moving_a_team_under_a_managers_department_shows_its_members_records_on_the_next_request()
    {
        var sales = await DepartmentAsync("销售部");
        var other = await DepartmentAsync("渠道部");
        var group = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group, other);
        using var manager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales));
        var customer = await CustomerOfAsync(await TestUsers.CreateAsync(Factory, Roles.SalesRep, group), "华东的客户");
        Assert.That(await StatusOfReadAsync(manager, customer), Is.EqualTo(HttpStatusCode.NotFound));

        Assert.That((await _admin.SendAsync(Patch($"/api/v1/teams/{group}", $$"""{"parentId":"{{sales}}"}"""))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That(await StatusOfReadAsync(manager, customer), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_user_created_in_a_managers_team_is_within_the_managers_reach_on_the_next_request()
    {
        var sales = await DepartmentAsync("销售部");
        using var manager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales));
        Assert.That((await manager.GetAsync("/api/v1/customers")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var created = await ReadAsync<UserResponse>(await _admin.PostAsync("/api/v1/users", JsonBody(new
        {
            email = "new.rep@example.cn", name = "新销售", password = "Passw0rd-1", roles = new[] { Roles.SalesRep }, teamId = sales,
        })), HttpStatusCode.Created);
        var (customer, _) = await CreateAsync(_admin, new { kind = "organization", name = "分配给新人", ownerId = created.Id });

        Assert.That(await StatusOfReadAsync(manager, customer.Id), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_role_change_refuses_the_old_token_on_the_next_request()
    {
        var sales = await DepartmentAsync("销售部");
        var managerUser = await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales);
        using var manager = Factory.ClientFor(managerUser);
        var customer = await CustomerOfAsync(await TestUsers.CreateAsync(Factory, Roles.SalesRep, sales), "下属的客户");
        Assert.That(await StatusOfReadAsync(manager, customer), Is.EqualTo(HttpStatusCode.OK));

        var demoted = await _admin.SendAsync(Patch($"/api/v1/users/{managerUser.Id}", $$"""{"roles":["{{Roles.SalesRep}}"]}"""));

        Assert.Multiple(async () =>
        {
            Assert.That(demoted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await StatusOfReadAsync(manager, customer), Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Deactivation_refuses_a_token_already_accepted_on_the_next_customer_read()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var client = Factory.ClientFor(rep);
        var customer = await CustomerOfAsync(rep, "自己的客户");
        Assert.That(await StatusOfReadAsync(client, customer), Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await _admin.PostAsync($"/api/v1/users/{rep.Id}/deactivate", null)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That(await StatusOfReadAsync(client, customer), Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
