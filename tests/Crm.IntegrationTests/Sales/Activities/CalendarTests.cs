using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Activities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Sales.Activities.ActivityApi;

namespace Crm.IntegrationTests.Sales.Activities;

internal sealed class CalendarTests : IntegrationTest
{
    private static DateTimeOffset Now => Factory.Time.GetUtcNow();

    private static string Range(DateTimeOffset from, DateTimeOffset to) => $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";

    [Test]
    public async Task The_calendar_shows_what_a_user_owns_or_attends_overlapping_the_range_by_start_time()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group);
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, team);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        var outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var repClient = Factory.ClientFor(rep);
        using var managerClient = Factory.ClientFor(manager);
        using var outsiderClient = Factory.ClientFor(outsider);

        var day = Now.AddDays(2);
        var (second, _) = await CreateActivityAsync(repClient, Meeting("下午会", day.AddHours(5)));
        var (first, _) = await CreateActivityAsync(repClient, Meeting("跨过起点的会", day.AddMinutes(-30)));
        var (attended, _) = await CreateActivityAsync(outsiderClient, Meeting("受邀", day.AddHours(2), new { attendeeIds = new[] { rep.Id } }));
        var (task, _) = await CreateActivityAsync(repClient, new { kind = "task", subject = "交报告", dueAt = day.AddHours(3) });
        await CreateActivityAsync(repClient, Meeting("范围外", day.AddDays(2)));
        var (cancelled, etag) = await CreateActivityAsync(repClient, Meeting("取消", day.AddHours(1)));
        await repClient.SendJsonAsync(HttpMethod.Post, $"/api/v1/sales/activities/{cancelled.Id}/cancel", new { outcome = "改期" }, etag);

        var mine = await ReadAsync<CalendarResponse>(await repClient.GetAsync($"/api/v1/calendar?{Range(day, day.AddDays(1))}"), HttpStatusCode.OK);
        Assert.That(mine.Items.Select(a => a.Id), Is.EqualTo(new[] { first.Id, attended.Id, task.Id, second.Id }));

        var asManager = await ReadAsync<CalendarResponse>(await managerClient.GetAsync($"/api/v1/calendar?userId={rep.Id}&{Range(day, day.AddDays(1))}"), HttpStatusCode.OK);
        Assert.That(asManager.Items, Has.Count.EqualTo(4));

        await ReadProblemAsync(await outsiderClient.GetAsync($"/api/v1/calendar?userId={rep.Id}&{Range(day, day.AddDays(1))}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await managerClient.GetAsync($"/api/v1/calendar?userId={Guid.NewGuid()}&{Range(day, day.AddDays(1))}"), HttpStatusCode.NotFound);
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await agent.GetAsync($"/api/v1/calendar?{Range(day, day.AddDays(1))}"), HttpStatusCode.Forbidden);

        var tooLong = await ReadProblemAsync(await repClient.GetAsync($"/api/v1/calendar?{Range(day, day.AddDays(63))}"), HttpStatusCode.BadRequest);
        Assert.That(tooLong.GetProperty("errors").TryGetProperty("to", out _), Is.True);
        var missing = await ReadProblemAsync(await repClient.GetAsync("/api/v1/calendar"), HttpStatusCode.BadRequest);
        Assert.That(missing.GetProperty("errors").TryGetProperty("from", out _), Is.True);
    }

    [Test]
    public async Task A_team_calendar_holds_what_the_members_of_the_team_and_its_sub_teams_own_or_attend()
    {
        var department = await TestUsers.CreateTeamAsync(Factory, "华东区", TeamKind.Department);
        var group = await TestUsers.CreateTeamAsync(Factory, "上海组", TeamKind.Group, department);
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, department);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, department);
        var groupRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, group);
        var outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var managerClient = Factory.ClientFor(manager);
        using var repClient = Factory.ClientFor(rep);
        using var groupClient = Factory.ClientFor(groupRep);
        using var outsiderClient = Factory.ClientFor(outsider);
        var day = Now.AddDays(3);
        var (repMeeting, _) = await CreateActivityAsync(repClient, Meeting("部门例会", day.AddHours(1)));
        var (groupMeeting, _) = await CreateActivityAsync(groupClient, Meeting("拜访准备", day.AddHours(2)));
        var (invitation, _) = await CreateActivityAsync(outsiderClient, Meeting("联合拜访", day.AddHours(3), new { attendeeIds = new[] { groupRep.Id } }));
        await CreateActivityAsync(outsiderClient, Meeting("别组的会", day.AddHours(4)));
        var range = Range(day, day.AddDays(1));

        var team = await ReadAsync<CalendarResponse>(await managerClient.GetAsync($"/api/v1/calendar?teamId={department}&{range}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(team.TeamId, Is.EqualTo(department));
            Assert.That(team.UserId, Is.Null);
            Assert.That(team.MemberIds, Is.EquivalentTo(new[] { manager.Id, rep.Id, groupRep.Id }));
            Assert.That(team.Items.Select(a => a.Id), Is.EqualTo(new[] { repMeeting.Id, groupMeeting.Id, invitation.Id }));
        });

        var subTeam = await ReadAsync<CalendarResponse>(await managerClient.GetAsync($"/api/v1/calendar?teamId={group}&{range}"), HttpStatusCode.OK);
        Assert.That(subTeam.Items.Select(a => a.Id), Is.EqualTo(new[] { groupMeeting.Id, invitation.Id }));

        // A rep may name their own team but still sees only their own schedule in it; other teams do not exist for them.
        var asRep = await ReadAsync<CalendarResponse>(await repClient.GetAsync($"/api/v1/calendar?teamId={department}&{range}"), HttpStatusCode.OK);
        Assert.That(asRep.MemberIds, Is.EqualTo(new[] { rep.Id }));
        Assert.That(asRep.Items.Select(a => a.Id), Is.EqualTo(new[] { repMeeting.Id }));
        await ReadProblemAsync(await repClient.GetAsync($"/api/v1/calendar?teamId={group}&{range}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await outsiderClient.GetAsync($"/api/v1/calendar?teamId={department}&{range}"), HttpStatusCode.NotFound);
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        await ReadProblemAsync(await admin.GetAsync($"/api/v1/calendar?teamId={Guid.NewGuid()}&{range}"), HttpStatusCode.NotFound);

        var both = await ReadProblemAsync(await managerClient.GetAsync($"/api/v1/calendar?teamId={department}&userId={rep.Id}&{range}"), HttpStatusCode.BadRequest);
        Assert.That(both.GetProperty("errors").TryGetProperty("teamId", out _), Is.True);
    }

    [Test]
    public async Task The_calendar_query_for_several_members_reads_the_owner_start_index_and_the_attendee_index()
    {
        const int Rows = 50_000;
        await CountAsync($"""
            INSERT INTO sales.activities (id, kind, subject, start_at, end_at, owner_id, attendee_ids, status, urgent, important, quadrant, created_at, updated_at)
            SELECT gen_random_uuid(), 'Meeting', 'm' || i, now() + (i % 2000) * interval '1 hour', now() + (i % 2000) * interval '1 hour' + interval '1 hour',
                   ('00000000-0000-0000-0000-' || lpad((i % 500)::text, 12, '0'))::uuid, ARRAY[]::uuid[], 'Planned', false, false, 'Neither', now(), now()
            FROM generate_series(1, {Rows}) AS i
            RETURNING 1
            """);
        await CountAsync("VACUUM ANALYZE sales.activities");

        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        var user = Guid.Parse("00000000-0000-0000-0000-000000000007");
        var from = Now.AddDays(10);
        var query = GetCalendarHandler.Query(db.Activities.AsNoTracking(), [user, Guid.Parse("00000000-0000-0000-0000-000000000011")], from, from.AddDays(7));
        var plan = await ExplainAsync(query);
        Assert.Multiple(() =>
        {
            Assert.That(plan, Does.Contain("ix_activities_owner_id_start_at_id"));
            Assert.That(plan, Does.Contain("ix_activities_attendee_ids"));
            Assert.That(plan, Does.Not.Contain("Seq Scan"));
        });
    }
}
