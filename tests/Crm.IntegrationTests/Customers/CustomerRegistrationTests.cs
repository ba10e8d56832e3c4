using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;

namespace Crm.IntegrationTests.Customers;

/// <summary>
/// The caller-chosen ids of ICustomerRegistration (exercised end to end by the lead conversion tests) are for other
/// modules only: the HTTP bodies cannot set them.
/// </summary>
internal sealed class CustomerRegistrationTests : IntegrationTest
{
    [Test]
    public async Task An_id_in_a_create_body_is_ignored_for_customers_and_contacts()
    {
        using var rep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        var chosen = Guid.CreateVersion7();
        var customer = await ReadAsync<CustomerResponse>(
            await rep.PostAsync("/api/v1/customers", JsonBody(new { id = chosen, kind = "organization", name = "自选编号公司" })), HttpStatusCode.Created);
        var contact = await ReadAsync<ContactResponse>(
            await rep.PostAsync($"/api/v1/customers/{customer.Id}/contacts", JsonBody(new { id = chosen, name = "张三" })), HttpStatusCode.Created);

        Assert.Multiple(() =>
        {
            Assert.That(customer.Id, Is.Not.EqualTo(chosen));
            Assert.That(contact.Id, Is.Not.EqualTo(chosen));
        });
    }
}
