using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Features.Activities;
using static Crm.IntegrationTests.Customers.CustomerApi;
using static Crm.IntegrationTests.Sales.Activities.ActivityApi;

namespace Crm.IntegrationTests.Sales.Activities;

internal sealed class ActivityConsentTests : IntegrationTest
{
    private HttpClient _rep = null!;
    private Guid _customerId;
    private Guid _contactId;

    [SetUp]
    public async Task CreateContactWithWindowAsync()
    {
        _rep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        var (customer, _) = await CreateAsync(_rep, "腾讯科技");
        _customerId = customer.Id;
        var window = new { days = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }, from = "09:00:00", to = "12:00:00", timeZone = "Asia/Shanghai" };
        var contact = await ReadAsync<ContactResponse>(
            await _rep.PostAsync($"/api/v1/customers/{customer.Id}/contacts", JsonBody(new { name = "马经理", contactWindow = window })), HttpStatusCode.Created);
        _contactId = contact.Id;
    }

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private object Call(DateTimeOffset start, object? extra = null) =>
        Merge(new { kind = "call", subject = "电话回访", startAt = start, endAt = start.AddMinutes(15), customerId = _customerId, contactId = _contactId }, extra);

    [Test]
    public async Task A_call_inside_the_contact_window_is_scheduled()
    {
        var (call, _) = await CreateActivityAsync(_rep, Call(MondayMorning));
        Assert.Multiple(() =>
        {
            Assert.That(call.Channel, Is.EqualTo("phone"));
            Assert.That(call.ConsentOverrideReason, Is.Null);
        });
    }

    [Test]
    public async Task A_call_outside_the_contact_window_is_422_with_the_consent_answer()
    {
        // 16:00 in Shanghai.
        var problem = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/activities", JsonBody(Call(MondayMorning.AddHours(6)))), HttpStatusCode.UnprocessableEntity);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo(ActivityProblems.ContactNotReachable));
            Assert.That(problem.GetProperty("reason").GetString(), Is.EqualTo("outsideWindow"));
            Assert.That(problem.GetProperty("insideWindow").GetBoolean(), Is.False);
            Assert.That(problem.GetProperty("consent").GetString(), Is.EqualTo("unknown"));
            Assert.That(problem.GetProperty("overridable").GetBoolean(), Is.True);
        });
        Assert.That(await CountAsync("SELECT count(*) FROM sales.activities"), Is.Zero);
    }

    [Test]
    public async Task An_email_to_a_contact_who_opted_out_of_email_is_422()
    {
        await ReadAsync<ContactResponse>(
            await _rep.PostAsync($"/api/v1/contacts/{_contactId}/consents", JsonBody(new { channel = "email", state = "optedOut", source = "退订链接" })), HttpStatusCode.OK);
        var problem = await ReadProblemAsync(
            await _rep.PostAsync("/api/v1/sales/activities", JsonBody(Call(MondayMorning, new { kind = "email", subject = "报价单" }))), HttpStatusCode.UnprocessableEntity);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("reason").GetString(), Is.EqualTo("optedOut"));
            Assert.That(problem.GetProperty("consent").GetString(), Is.EqualTo("optedOut"));
            Assert.That(problem.GetProperty("channel").GetString(), Is.EqualTo("email"));
        });

        // A phone call at the same time is still fine.
        await CreateActivityAsync(_rep, Call(MondayMorning));
    }

    [Test]
    public async Task An_override_reason_schedules_it_anyway_and_is_stored_and_audited()
    {
        var (call, _) = await CreateActivityAsync(_rep, Call(MondayMorning.AddHours(6), new { @override = new { reason = "客户主动要求下午回电" } }));
        Assert.That(call.ConsentOverrideReason, Is.EqualTo("客户主动要求下午回电"));
        Assert.That(
            await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'activity' AND entity_id = '{call.Id}' AND changes::text LIKE '%客户主动要求下午回电%'"),
            Is.EqualTo(1));

        var empty = await ReadProblemAsync(
            await _rep.PostAsync("/api/v1/sales/activities", JsonBody(Call(MondayMorning.AddHours(6), new { @override = new { reason = " " } }))), HttpStatusCode.BadRequest);
        Assert.That(empty.GetProperty("errors").TryGetProperty("override.reason", out _), Is.True, empty.ToString());
    }

    [Test]
    public async Task Rescheduling_outside_the_window_is_refused_but_editing_the_subject_is_not_rechecked()
    {
        var (call, etag) = await CreateActivityAsync(_rep, Call(MondayMorning));
        var moved = await _rep.SendJsonAsync(HttpMethod.Patch, $"/api/v1/sales/activities/{call.Id}",
            new { startAt = MondayMorning.AddHours(6), endAt = MondayMorning.AddHours(6).AddMinutes(15) }, etag, "application/merge-patch+json");
        var problem = await ReadProblemAsync(moved, HttpStatusCode.UnprocessableEntity);
        Assert.That(problem.GetProperty("reason").GetString(), Is.EqualTo("outsideWindow"));

        var renamed = await ReadAsync<ActivityResponse>(
            await _rep.SendJsonAsync(HttpMethod.Patch, $"/api/v1/sales/activities/{call.Id}", new { subject = "电话确认合同" }, etag, "application/merge-patch+json"), HttpStatusCode.OK);
        Assert.That(renamed.Subject, Is.EqualTo("电话确认合同"));
    }
}
