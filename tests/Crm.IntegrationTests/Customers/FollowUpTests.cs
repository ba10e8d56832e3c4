using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.FollowUps;
using Crm.Modules.Identity.Contracts;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class FollowUpTests : IntegrationTest
{
    private HttpClient _rep = null!;

    internal sealed record FollowUpPage(List<FollowUpResponse> Items, string? NextCursor);

    [SetUp]
    public async Task SignInRepAsync() => _rep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private static DateTimeOffset Now => Factory.Time.GetUtcNow();

    private async Task<FollowUpResponse> LogAsync(Guid customerId, object body)
    {
        var response = await _rep.PostAsync($"/api/v1/customers/{customerId}/follow-ups", JsonBody(body));
        return await ReadAsync<FollowUpResponse>(response, HttpStatusCode.Created);
    }

    [Test]
    public async Task Follow_ups_are_listed_newest_first_and_move_the_customers_follow_up_dates()
    {
        var (customer, _) = await CreateAsync(_rep, "小米科技");
        var contact = await ReadAsync<ContactResponse>(
            await _rep.PostAsync($"/api/v1/customers/{customer.Id}/contacts", JsonBody(new { name = "雷总" })), HttpStatusCode.Created);

        var visit = await LogAsync(customer.Id, new
        {
            kind = "visit", content = "拜访客户，演示产品", occurredAt = Now.AddDays(-2), contactId = contact.Id, nextFollowUpAt = Now.AddDays(5),
        });
        var call = await LogAsync(customer.Id, new { kind = "call", content = "电话确认报价", occurredAt = Now.AddHours(-1), nextFollowUpAt = Now.AddDays(3) });
        // Logged late for an earlier date: it joins the history but leaves the newer plan in place.
        await LogAsync(customer.Id, new { kind = "note", content = "补记", occurredAt = Now.AddDays(-10), nextFollowUpAt = Now.AddDays(30) });

        var page = await ReadAsync<FollowUpPage>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/follow-ups?limit=2"), HttpStatusCode.OK);
        Assert.That(page.Items.Select(f => f.Content), Is.EqualTo(new[] { "电话确认报价", "拜访客户，演示产品" }));
        var rest = await ReadAsync<FollowUpPage>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/follow-ups?limit=2&cursor={page.NextCursor}"), HttpStatusCode.OK);
        Assert.That(rest.Items.Select(f => f.Content), Is.EqualTo(new[] { "补记" }));
        var withContact = await ReadAsync<FollowUpPage>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/follow-ups?contactId={contact.Id}"), HttpStatusCode.OK);
        Assert.That(withContact.Items.Select(f => f.Id), Is.EqualTo(new[] { visit.Id }));

        var updated = await ReadAsync<CustomerResponse>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(updated.LastFollowUpAt, Is.EqualTo(call.OccurredAt));
            Assert.That(updated.NextFollowUpAt, Is.EqualTo(call.NextFollowUpAt));
        });
    }

    [Test]
    public async Task The_customer_list_filters_on_the_last_follow_up()
    {
        var (recent, _) = await CreateAsync(_rep, "最近跟进");
        var (stale, _) = await CreateAsync(_rep, "很久没跟进");
        await CreateAsync(_rep, "从未跟进");
        await LogAsync(recent.Id, new { kind = "call", content = "通话", occurredAt = Now.AddDays(-1) });
        await LogAsync(stale.Id, new { kind = "call", content = "通话", occurredAt = Now.AddDays(-40) });

        var cutoff = Uri.EscapeDataString(Now.AddDays(-30).ToString("O"));
        var before = await ReadAsync<CustomerCrudTests.ListPage>(await _rep.GetAsync($"/api/v1/customers?lastFollowUpBefore={cutoff}"), HttpStatusCode.OK);
        var after = await ReadAsync<CustomerCrudTests.ListPage>(await _rep.GetAsync($"/api/v1/customers?lastFollowUpAfter={cutoff}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(before.Items.Select(c => c.Name), Is.EqualTo(new[] { "很久没跟进" }));
            Assert.That(after.Items.Select(c => c.Name), Is.EqualTo(new[] { "最近跟进" }));
        });
    }

    [Test]
    public async Task Invalid_follow_ups_are_400_with_field_errors_and_foreign_contacts_are_422()
    {
        var (customer, _) = await CreateAsync(_rep, "测试");
        var response = await _rep.PostAsync($"/api/v1/customers/{customer.Id}/follow-ups", JsonBody(new
        {
            content = "", occurredAt = Now.AddDays(1), nextFollowUpAt = Now,
        }));
        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "kind", "content", "occurredAt", "nextFollowUpAt" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, field + " in " + errors);
            }
        });

        var (other, _) = await CreateAsync(_rep, "另一个");
        var foreign = await ReadAsync<ContactResponse>(
            await _rep.PostAsync($"/api/v1/customers/{other.Id}/contacts", JsonBody(new { name = "外人" })), HttpStatusCode.Created);
        var wrongContact = await _rep.PostAsync($"/api/v1/customers/{customer.Id}/follow-ups",
            JsonBody(new { kind = "note", content = "x", occurredAt = Now, contactId = foreign.Id }));
        await ReadProblemAsync(wrongContact, (HttpStatusCode)422);
    }

    [Test]
    public async Task Follow_ups_of_an_invisible_customer_are_404()
    {
        var (customer, _) = await CreateAsync(_rep, "我的客户");
        using var other = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        await ReadProblemAsync(await other.GetAsync($"/api/v1/customers/{customer.Id}/follow-ups"), HttpStatusCode.NotFound);
        await ReadProblemAsync(
            await other.PostAsync($"/api/v1/customers/{customer.Id}/follow-ups", JsonBody(new { kind = "note", content = "x", occurredAt = Now })),
            HttpStatusCode.NotFound);
    }
}
