using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Activities;
using static Crm.IntegrationTests.Customers.CustomerApi;
using static Crm.IntegrationTests.Sales.Activities.ActivityApi;

namespace Crm.IntegrationTests.Sales.Activities;

internal sealed class ActivityTests : IntegrationTest
{
    private TestUser _repUser = null!;
    private HttpClient _rep = null!;

    [SetUp]
    public async Task SignInRepAsync()
    {
        _repUser = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        _rep = Factory.ClientFor(_repUser);
    }

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private static DateTimeOffset Now => Factory.Time.GetUtcNow();

    [Test]
    public async Task A_meeting_is_created_read_with_its_ETag_and_patched_with_If_Match()
    {
        var attendee = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        var (created, etag) = await CreateActivityAsync(_rep, Meeting("季度复盘", Now.AddDays(1), new { attendeeIds = new[] { attendee.Id }, urgent = true, important = true, reminderMinutesBefore = 30 }));
        Assert.Multiple(() =>
        {
            Assert.That(created.Status, Is.EqualTo(ActivityStatus.Planned));
            Assert.That(created.OwnerId, Is.EqualTo(_repUser.Id));
            Assert.That(created.AttendeeIds, Is.EqualTo(new[] { attendee.Id }));
            Assert.That(created.Quadrant, Is.EqualTo(ActivityQuadrant.UrgentImportant));
            Assert.That(created.DueAt, Is.Null);
        });

        var get = await _rep.GetAsync($"/api/v1/sales/activities/{created.Id}");
        Assert.That(get.Headers.ETag!.ToString(), Is.EqualTo(etag));

        var stale = await _rep.SendJsonAsync(HttpMethod.Patch, $"/api/v1/sales/activities/{created.Id}", new { urgent = false }, "\"1\"", "application/merge-patch+json");
        await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);

        var patched = await ReadAsync<ActivityResponse>(
            await _rep.SendJsonAsync(HttpMethod.Patch, $"/api/v1/sales/activities/{created.Id}", new { urgent = false, description = "带上报表" }, etag, "application/merge-patch+json"),
            HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(patched.Quadrant, Is.EqualTo(ActivityQuadrant.Important));
            Assert.That(patched.Description, Is.EqualTo("带上报表"));
            Assert.That(patched.Subject, Is.EqualTo("季度复盘"));
        });

        // The attendee sees it; another rep does not.
        using var attendeeClient = Factory.ClientFor(attendee);
        Assert.That((await attendeeClient.GetAsync($"/api/v1/sales/activities/{created.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var stranger = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        await ReadProblemAsync(await stranger.GetAsync($"/api/v1/sales/activities/{created.Id}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Bad_activities_are_400_with_field_errors()
    {
        var response = await _rep.PostAsync("/api/v1/sales/activities", JsonBody(new
        {
            kind = "call", subject = "", startAt = Now.AddDays(1), endAt = Now.AddDays(1).AddMinutes(-5), channel = "pigeon", reminderMinutesBefore = -1,
        }));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.That(errors.TryGetProperty("subject", out _), Is.True, problem.ToString());

        var shape = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/activities", JsonBody(new
        {
            kind = "call", subject = "回访", startAt = Now.AddDays(1), endAt = Now.AddDays(1).AddMinutes(-5), channel = "pigeon", reminderMinutesBefore = -1,
        })), HttpStatusCode.BadRequest);
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "endAt", "channel", "reminderMinutesBefore" })
            {
                Assert.That(shape.GetProperty("errors").TryGetProperty(field, out _), Is.True, $"{field}: {shape}");
            }
        });

        var task = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/activities", JsonBody(new { kind = "task", subject = "报价" })), HttpStatusCode.BadRequest);
        Assert.That(task.GetProperty("errors").TryGetProperty("dueAt", out _), Is.True, task.ToString());
        await ReadProblemAsync(await _rep.GetAsync("/api/v1/sales/activities?quadrant=sideways"), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Unknown_attendees_customers_and_opportunities_are_422()
    {
        var attendee = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/activities", JsonBody(Meeting("会", Now.AddDays(1), new { attendeeIds = new[] { Guid.NewGuid() } }))), HttpStatusCode.UnprocessableEntity);
        var customer = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/activities", JsonBody(Meeting("会", Now.AddDays(1), new { customerId = Guid.NewGuid() }))), HttpStatusCode.UnprocessableEntity);
        var opportunity = await ReadProblemAsync(await _rep.PostAsync("/api/v1/sales/activities", JsonBody(Meeting("会", Now.AddDays(1), new { opportunityId = Guid.NewGuid() }))), HttpStatusCode.UnprocessableEntity);
        Assert.Multiple(() =>
        {
            Assert.That(attendee.GetProperty("title").GetString(), Is.EqualTo("Unknown User"));
            Assert.That(customer.GetProperty("title").GetString(), Is.EqualTo("Unknown Customer"));
            Assert.That(opportunity.GetProperty("title").GetString(), Is.EqualTo("Unknown Opportunity"));
        });
    }

    [Test]
    public async Task The_contact_must_be_a_live_contact_of_the_activitys_customer_on_create_and_on_change()
    {
        var (customer, _) = await CreateAsync(_rep, "华为技术");
        var (other, _) = await CreateAsync(_rep, "中兴通讯");
        var contact = await CreateContactAsync(_rep, customer.Id, "余经理");
        var othersContact = await CreateContactAsync(_rep, other.Id, "李经理");
        var archivedContact = await CreateContactAsync(_rep, customer.Id, "离职联系人");
        await ReadAsync<object>(await _rep.DeleteAsync($"/api/v1/contacts/{archivedContact}"), HttpStatusCode.OK);
        Task<HttpResponseMessage> CreateWith(object references) => _rep.PostAsync("/api/v1/sales/activities", JsonBody(Meeting("拜访", Now.AddDays(1), references)));

        var ofOther = await ReadProblemAsync(await CreateWith(new { customerId = customer.Id, contactId = othersContact }), HttpStatusCode.BadRequest);
        var withoutCustomer = await ReadProblemAsync(await CreateWith(new { contactId = contact }), HttpStatusCode.BadRequest);
        var unknown = await ReadProblemAsync(await CreateWith(new { customerId = customer.Id, contactId = Guid.CreateVersion7() }), HttpStatusCode.UnprocessableEntity);
        var archived = await ReadProblemAsync(await CreateWith(new { customerId = customer.Id, contactId = archivedContact }), HttpStatusCode.UnprocessableEntity);
        Assert.Multiple(async () =>
        {
            Assert.That(ofOther.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "contactId" }));
            Assert.That(withoutCustomer.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "contactId" }));
            Assert.That(unknown.GetProperty("type").GetString(), Is.EqualTo(ActivityProblems.UnknownReference));
            Assert.That(unknown.GetProperty("title").GetString(), Is.EqualTo("Unknown Contact"));
            Assert.That(archived.GetProperty("title").GetString(), Is.EqualTo("Unknown Contact"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.activities"), Is.Zero);
        });

        var (meeting, etag) = await CreateActivityAsync(_rep, Meeting("拜访", Now.AddDays(1), new { customerId = customer.Id, contactId = contact }));
        var path = $"/api/v1/sales/activities/{meeting.Id}";
        var contactOfOther = await _rep.SendJsonAsync(HttpMethod.Patch, path, new { contactId = othersContact }, etag, "application/merge-patch+json");
        var customerWithoutItsContact = await _rep.SendJsonAsync(HttpMethod.Patch, path, new { customerId = other.Id }, etag, "application/merge-patch+json");
        Assert.Multiple(async () =>
        {
            Assert.That((await ReadProblemAsync(contactOfOther, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("contactId", out _), Is.True);
            Assert.That((await ReadProblemAsync(customerWithoutItsContact, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("contactId", out _), Is.True);
        });

        var moved = await ReadAsync<ActivityResponse>(
            await _rep.SendJsonAsync(HttpMethod.Patch, path, new { customerId = other.Id, contactId = othersContact }, etag, "application/merge-patch+json"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(moved.CustomerId, Is.EqualTo(other.Id));
            Assert.That(moved.ContactId, Is.EqualTo(othersContact));
        });
    }

    [Test]
    public async Task Users_without_sales_permissions_get_403_and_unknown_activities_404()
    {
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await agent.PostAsync("/api/v1/sales/activities", JsonBody(Meeting("会", Now.AddDays(1)))), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await agent.GetAsync("/api/v1/sales/activities"), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _rep.GetAsync($"/api/v1/sales/activities/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _rep.PostAsync($"/api/v1/sales/activities/{Guid.NewGuid()}/complete", JsonBody(new { outcome = "x" })), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Completing_records_the_outcome_once_and_lands_on_the_customer_timeline()
    {
        var (customer, _) = await CreateAsync(_rep, "华为技术");
        var (visit, etag) = await CreateActivityAsync(_rep, new { kind = "visit", subject = "上门拜访", startAt = Now.AddHours(-2), endAt = Now.AddHours(-1), customerId = customer.Id });
        Assert.That(visit.Channel, Is.EqualTo("visit"));

        var done = await ReadAsync<ActivityResponse>(await _rep.SendJsonAsync(HttpMethod.Post, $"/api/v1/sales/activities/{visit.Id}/complete", new { outcome = "客户同意试用" }, etag), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(done.Status, Is.EqualTo(ActivityStatus.Completed));
            Assert.That(done.Outcome, Is.EqualTo("客户同意试用"));
            Assert.That(done.CompletedAt, Is.Not.Null);
        });
        await ReadProblemAsync(await _rep.PostAsync($"/api/v1/sales/activities/{visit.Id}/complete", JsonBody(new { outcome = "again" })), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _rep.PostAsync($"/api/v1/sales/activities/{visit.Id}/cancel", JsonBody(new { outcome = "x" })), HttpStatusCode.Conflict);
        await ReadProblemAsync(
            await _rep.SendJsonAsync(HttpMethod.Patch, $"/api/v1/sales/activities/{visit.Id}", new { subject = "改" }, null, "application/merge-patch+json"), HttpStatusCode.Conflict);

        await DispatchOutboxAsync();
        Assert.That(await CountAsync($"SELECT count(*) FROM customers.timeline_entries WHERE customer_id = '{customer.Id}' AND kind = 'activity'"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_list_filters_by_quadrant_kind_status_and_overdue_and_pages_by_start()
    {
        var (late, _) = await CreateActivityAsync(_rep, new { kind = "task", subject = "逾期任务", dueAt = Now.AddDays(-1), urgent = true });
        var (soon, _) = await CreateActivityAsync(_rep, Meeting("明天开会", Now.AddDays(1), new { important = true }));
        var (later, _) = await CreateActivityAsync(_rep, Meeting("下周开会", Now.AddDays(7)));
        var (cancelled, etag) = await CreateActivityAsync(_rep, new { kind = "task", subject = "取消的任务", dueAt = Now.AddDays(-2) });
        await ReadAsync<ActivityResponse>(await _rep.SendJsonAsync(HttpMethod.Post, $"/api/v1/sales/activities/{cancelled.Id}/cancel", new { outcome = "不需要了" }, etag), HttpStatusCode.OK);

        async Task<List<Guid>> IdsAsync(string query) =>
            (await ReadAsync<ActivityPage>(await _rep.GetAsync($"/api/v1/sales/activities?{query}"), HttpStatusCode.OK)).Items.Select(a => a.Id).ToList();

        var first = await ReadAsync<ActivityPage>(await _rep.GetAsync("/api/v1/sales/activities?limit=2"), HttpStatusCode.OK);
        var rest = await ReadAsync<ActivityPage>(await _rep.GetAsync($"/api/v1/sales/activities?limit=2&cursor={first.NextCursor}"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(first.Items.Concat(rest.Items).Select(a => a.Id), Is.EqualTo(new[] { cancelled.Id, late.Id, soon.Id, later.Id }));
            Assert.That(await IdsAsync("overdue=true"), Is.EqualTo(new[] { late.Id }));
            Assert.That(await IdsAsync("quadrant=urgent"), Is.EqualTo(new[] { late.Id }));
            Assert.That(await IdsAsync("quadrant=important"), Is.EqualTo(new[] { soon.Id }));
            Assert.That(await IdsAsync("kind=meeting&status=planned"), Is.EqualTo(new[] { soon.Id, later.Id }));
            Assert.That(await IdsAsync("status=cancelled"), Is.EqualTo(new[] { cancelled.Id }));
            var from = Uri.EscapeDataString(Now.ToString("O"));
            var to = Uri.EscapeDataString(Now.AddDays(3).ToString("O"));
            Assert.That(await IdsAsync($"from={from}&to={to}"), Is.EqualTo(new[] { soon.Id }));
        });
    }

    [Test]
    public async Task Reminders_list_the_callers_planned_activities_whose_reminder_time_has_come()
    {
        var (inTen, _) = await CreateActivityAsync(_rep, Meeting("十分钟后", Now.AddMinutes(20), new { reminderMinutesBefore = 15 }));
        await CreateActivityAsync(_rep, Meeting("明天", Now.AddDays(1), new { reminderMinutesBefore = 15 }));
        await CreateActivityAsync(_rep, Meeting("不提醒", Now.AddMinutes(20)));

        var until = Uri.EscapeDataString(Now.AddMinutes(10).ToString("O"));
        var reminders = await ReadAsync<List<ActivityReminderResponse>>(await _rep.GetAsync($"/api/v1/sales/activities/reminders?until={until}"), HttpStatusCode.OK);
        Assert.That(reminders.Select(r => (r.ActivityId, r.RemindAt)), Is.EqualTo(new[] { (inTen.Id, inTen.StartAt.AddMinutes(-15)) }));
        await ReadProblemAsync(await _rep.GetAsync("/api/v1/sales/activities/reminders"), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task An_Idempotency_Key_replays_the_create_instead_of_scheduling_twice()
    {
        var start = Now.AddDays(1);
        HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sales/activities") { Content = JsonBody(Meeting("只建一次", start)) };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", "create-activity-1");
            return request;
        }

        var one = await ReadAsync<ActivityResponse>(await _rep.SendAsync(Post()), HttpStatusCode.Created);
        var second = await _rep.SendAsync(Post());
        var two = await ReadAsync<ActivityResponse>(second, HttpStatusCode.Created);
        Assert.Multiple(async () =>
        {
            Assert.That(two.Id, Is.EqualTo(one.Id));
            Assert.That(second.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.activities"), Is.EqualTo(1));
        });
    }
}
