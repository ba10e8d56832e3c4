using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class CustomerDirectoryTests : IntegrationTest
{
    private HttpClient _admin = null!;

    [SetUp]
    public async Task CreateAdminAsync() =>
        _admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));

    [TearDown]
    public void DisposeAdmin() => _admin.Dispose();

    private async Task<IReadOnlyDictionary<Guid, CustomerSnapshot>> FindAsync(params Guid[] ids)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ICustomerDirectory>().FindAsync(ids, CancellationToken.None);
    }

    [Test]
    public async Task The_directory_returns_the_fields_other_modules_decide_on_and_skips_unknown_ids()
    {
        var (customer, _) = await CreateAsync(_admin, new { kind = "organization", name = "上海宝山钢铁", creditLimit = 500000m, tier = "A", province = "上海市", industry = "制造业" });
        var unknown = Guid.CreateVersion7();

        var found = await FindAsync(customer.Id, unknown);

        Assert.That(found.Keys, Is.EquivalentTo(new[] { customer.Id }));
        var snapshot = found[customer.Id];
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Code, Is.EqualTo(customer.Code));
            Assert.That(snapshot.Name, Is.EqualTo("上海宝山钢铁"));
            Assert.That(snapshot.Status, Is.EqualTo("active"));
            Assert.That(snapshot.CreditLimit, Is.EqualTo(500000m));
            Assert.That(snapshot.OutstandingBalance, Is.Zero);
            Assert.That(snapshot.Currency, Is.EqualTo("CNY"));
            Assert.That(snapshot.Tier, Is.EqualTo("A"));
            Assert.That(snapshot.Province, Is.EqualTo("上海市"));
        });
    }

    [Test]
    public async Task A_merged_customer_resolves_to_its_survivor()
    {
        var (survivor, _) = await CreateAsync(_admin, "杭州娃哈哈集团");
        var (loser, _) = await CreateAsync(_admin, new { kind = "organization", name = "杭州娃哈哈集团有限公司", confirmDuplicate = true });
        var merge = await _admin.PostAsync($"/api/v1/customers/{survivor.Id}/merge", JsonBody(new { loserId = loser.Id, reason = "重复客户" }));
        await ReadAsync<CustomerResponse>(merge, HttpStatusCode.OK);

        var found = await FindAsync(survivor.Id, loser.Id);

        Assert.That(found[loser.Id].Id, Is.EqualTo(survivor.Id));
        Assert.That(found[loser.Id], Is.EqualTo(found[survivor.Id]));
    }
}
