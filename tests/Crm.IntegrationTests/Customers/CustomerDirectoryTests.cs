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
    public async Task Contacts_resolve_to_their_customer_in_one_call_leaving_out_archived_contacts_and_archived_customers()
    {
        var (customer, _) = await CreateAsync(_admin, "比亚迪股份");
        var (archivedCustomer, _) = await CreateAsync(_admin, "已归档客户");
        var (loser, _) = await CreateAsync(_admin, new { kind = "organization", name = "比亚迪股份有限公司", confirmDuplicate = true });
        var live = await CreateContactAsync(_admin, customer.Id, "王传福");
        var archived = await CreateContactAsync(_admin, customer.Id, "离职联系人");
        var ofArchivedCustomer = await CreateContactAsync(_admin, archivedCustomer.Id, "孙经理");
        var moved = await CreateContactAsync(_admin, loser.Id, "吕经理");
        await ReadAsync<object>(await _admin.DeleteAsync($"/api/v1/contacts/{archived}"), HttpStatusCode.OK);
        await ReadAsync<object>(await _admin.DeleteAsync($"/api/v1/customers/{archivedCustomer.Id}"), HttpStatusCode.OK);
        await ReadAsync<CustomerResponse>(
            await _admin.PostAsync($"/api/v1/customers/{customer.Id}/merge", JsonBody(new { loserId = loser.Id, reason = "重复客户" })), HttpStatusCode.OK);

        await using var scope = Factory.Services.CreateAsyncScope();
        var found = await scope.ServiceProvider.GetRequiredService<ICustomerDirectory>()
            .FindContactCustomersAsync([live, archived, ofArchivedCustomer, moved, Guid.CreateVersion7()], CancellationToken.None);

        Assert.That(found, Is.EquivalentTo(new Dictionary<Guid, Guid> { [live] = customer.Id, [moved] = customer.Id }), "a merge hands its contacts to the survivor");
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
