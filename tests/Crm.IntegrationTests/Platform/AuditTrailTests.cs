using System.Net;
using System.Security.Claims;
using Crm.IntegrationTests;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sample;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Platform;

internal sealed class AuditTrailTests : IntegrationTest
{
    private async Task<(NoteItem Note, string ETag)> CreateAsync(string title = "客户回访", string priority = "normal")
    {
        var response = await Client.PostAsync("/api/v1/notes", JsonBody(new { title, priority }));
        var note = await ReadAsync<NoteItem>(response, HttpStatusCode.Created);
        return (note, response.Headers.ETag!.ToString());
    }

    private Task<HttpResponseMessage> PutAsync(Guid id, string title, string priority, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/notes/{id}") { Content = JsonBody(new { title, priority }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return Client.SendAsync(request);
    }

    private static async Task<Page<AuditEntryItem>> ListAsync(AuditLogQuery query, PageRequest? page = null)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IAuditLog>().ListAsync(query, page ?? new PageRequest(), CancellationToken.None);
    }

    private static async Task<List<AuditEntryItem>> HistoryAsync(Guid noteId) =>
        (await ListAsync(new AuditLogQuery("note", noteId))).Items.ToList();

    private static Task<long> EntryCountAsync() => CountAsync("SELECT count(*) FROM platform.audit_entries");

    private static string? Text(AuditFieldChange change, bool old) => (old ? change.Old : change.New)?.GetString();

    [Test]
    public async Task Creating_a_record_writes_a_created_entry_with_its_new_values()
    {
        var (note, _) = await CreateAsync("签约 华为", "high");

        var entry = (await HistoryAsync(note.Id)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(entry.Action, Is.EqualTo(AuditAction.Created));
            Assert.That(entry.EntityType, Is.EqualTo("note"));
            Assert.That(entry.EntityId, Is.EqualTo(note.Id));
            Assert.That(entry.OccurredAt, Is.EqualTo(Factory.Time.UtcNow()));
            Assert.That(entry.Actor, Is.EqualTo(new AuditActorItem(HttpCurrentActor.AnonymousKind, null, null)));
            Assert.That(entry.AffectedCount, Is.Null);
            Assert.That(entry.Changes.Keys, Is.EquivalentTo(new[] { "title", "priority", "createdAt" }), "no id, no xmin version");
            Assert.That(Text(entry.Changes["title"], old: false), Is.EqualTo("签约 华为"));
            Assert.That(Text(entry.Changes["priority"], old: false), Is.EqualTo("high"), "enums read as in the API");
            Assert.That(entry.Changes["title"].Old, Is.Null, "a created record has no old values");
        });
    }

    [Test]
    public async Task Entries_are_stored_as_text_actions_and_jsonb_changes()
    {
        await CreateAsync();

        Assert.That(
            await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE action = 'created' AND jsonb_typeof(changes -> 'title') = 'object'"),
            Is.EqualTo(1));
    }

    [Test]
    public async Task Updating_a_record_writes_only_the_changed_fields_with_old_and_new_values()
    {
        var (note, etag) = await CreateAsync("初次拜访", "normal");
        Factory.Time.Advance(TimeSpan.FromMinutes(5));

        var response = await PutAsync(note.Id, "二次拜访", "normal", etag);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var history = await HistoryAsync(note.Id);
        Assert.That(history.Select(e => e.Action), Is.EqualTo(new[] { AuditAction.Updated, AuditAction.Created }), "newest first");
        var update = history[0];
        Assert.Multiple(() =>
        {
            Assert.That(update.Changes.Keys, Is.EqualTo(new[] { "title" }));
            Assert.That(Text(update.Changes["title"], old: true), Is.EqualTo("初次拜访"));
            Assert.That(Text(update.Changes["title"], old: false), Is.EqualTo("二次拜访"));
            Assert.That(update.OccurredAt, Is.EqualTo(Factory.Time.UtcNow()));
        });
    }

    [Test]
    public async Task An_update_that_changes_nothing_writes_no_entry()
    {
        var (note, etag) = await CreateAsync("不变", "low");

        var response = await PutAsync(note.Id, "不变", "low", etag);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await HistoryAsync(note.Id)).Select(e => e.Action), Is.EqualTo(new[] { AuditAction.Created }));
    }

    [Test]
    public async Task An_update_refused_with_412_writes_no_entry()
    {
        var (note, etag) = await CreateAsync();
        Factory.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await PutAsync(note.Id, "first writer", "high", etag)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await ReadProblemAsync(await PutAsync(note.Id, "second writer", "low", etag), HttpStatusCode.PreconditionFailed);

        var history = await HistoryAsync(note.Id);
        Assert.That(history.Select(e => e.Action), Is.EqualTo(new[] { AuditAction.Updated, AuditAction.Created }));
        Assert.That(Text(history[0].Changes["title"], old: false), Is.EqualTo("first writer"));
    }

    [Test]
    public async Task Writers_that_lose_the_optimistic_concurrency_race_leave_no_entry()
    {
        var (note, etag) = await CreateAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => PutAsync(note.Id, $"writer {i}", "high", etag)));

        var winner = responses.Single(r => r.StatusCode == HttpStatusCode.OK);
        var winningTitle = (await ReadAsync<NoteItem>(winner, HttpStatusCode.OK)).Title;
        var updates = (await HistoryAsync(note.Id)).Where(e => e.Action == AuditAction.Updated).ToList();
        Assert.That(updates, Has.Count.EqualTo(1));
        Assert.That(Text(updates[0].Changes["title"], old: false), Is.EqualTo(winningTitle));
    }

    [Test]
    public async Task A_save_the_database_refuses_writes_no_entry_and_its_retry_records_the_change_once()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
        var note = Note.Create(new string('长', 201), NotePriority.Low, Factory.Time.UtcNow());
        db.Notes.Add(note);

        Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.That(await EntryCountAsync(), Is.Zero);

        note.Update("改短的标题", NotePriority.Low);
        await db.SaveChangesAsync();

        var entry = (await HistoryAsync(note.Id)).Single();
        Assert.That(Text(entry.Changes["title"], old: false), Is.EqualTo("改短的标题"));
        Assert.That(await EntryCountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task Deleting_a_record_writes_a_deleted_entry_with_its_old_values()
    {
        var (note, etag) = await CreateAsync("作废", "low");
        Factory.Time.Advance(TimeSpan.FromSeconds(1));

        var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/notes/{note.Id}");
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.That((await Client.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        var deleted = (await HistoryAsync(note.Id))[0];
        Assert.Multiple(() =>
        {
            Assert.That(deleted.Action, Is.EqualTo(AuditAction.Deleted));
            Assert.That(Text(deleted.Changes["title"], old: true), Is.EqualTo("作废"));
            Assert.That(deleted.Changes.Values.Select(c => c.New), Is.All.Null, "a deleted record has no new values");
        });
    }

    [Test]
    public async Task The_request_id_is_the_trace_id_of_the_request()
    {
        const string traceId = "0af7651916cd43dd8448eb211c80319c";
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notes") { Content = JsonBody(new { title = "traced", priority = "low" }) };
        request.Headers.Add("traceparent", $"00-{traceId}-b7ad6b7169203331-01");

        var note = await ReadAsync<NoteItem>(await Client.SendAsync(request), HttpStatusCode.Created);

        Assert.That((await HistoryAsync(note.Id)).Single().RequestId, Is.EqualTo(traceId));
    }

    [Test]
    public async Task The_authenticated_caller_is_recorded_as_the_actor_and_can_be_filtered_on()
    {
        var userId = Guid.CreateVersion7();
        await using var host = Factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(
            services => services.AddSingleton<IStartupFilter, TestUserStartupFilter>()));
        using var client = host.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notes") { Content = JsonBody(new { title = "mine", priority = "low" }) };
        request.Headers.Add(TestUserStartupFilter.Header, $"{userId}|王小明");
        var note = await ReadAsync<NoteItem>(await client.SendAsync(request), HttpStatusCode.Created);
        await CreateAsync("someone else's");

        var byActor = await ListAsync(new AuditLogQuery(ActorId: userId));

        Assert.That(byActor.Items.Select(e => e.EntityId), Is.EqualTo(new[] { note.Id }));
        Assert.That(byActor.Items[0].Actor, Is.EqualTo(new AuditActorItem(HttpCurrentActor.UserKind, userId, "王小明")));
    }

    [Test]
    public async Task Changes_made_outside_a_request_are_recorded_as_the_system()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
        var note = Note.Create("nightly job", NotePriority.Low, Factory.Time.UtcNow());
        db.Notes.Add(note);
        await db.SaveChangesAsync();

        Assert.That((await HistoryAsync(note.Id)).Single().Actor, Is.EqualTo(new AuditActorItem(HttpCurrentActor.SystemKind, null, null)));
    }

    [Test]
    public async Task A_bulk_change_is_recorded_as_one_summary_in_its_transaction()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync($"bulk {i}", "low");
        }

        var ownerId = Guid.CreateVersion7();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var affected = await db.Notes.Where(n => n.Priority == NotePriority.Low)
                .ExecuteUpdateAsync(set => set.SetProperty(n => n.Priority, NotePriority.High));
            db.AddAuditSummary<Note>(AuditAction.Updated, affected, new Dictionary<string, object?> { ["priority"] = NotePriority.High }, ownerId);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        var summary = (await ListAsync(new AuditLogQuery(OwnerId: ownerId))).Items.Single();
        Assert.Multiple(async () =>
        {
            Assert.That(summary.Action, Is.EqualTo(AuditAction.Updated));
            Assert.That(summary.EntityType, Is.EqualTo("note"));
            Assert.That(summary.EntityId, Is.Null);
            Assert.That(summary.AffectedCount, Is.EqualTo(3));
            Assert.That(summary.Actor.Kind, Is.EqualTo(HttpCurrentActor.SystemKind));
            Assert.That(Text(summary.Changes["priority"], old: false), Is.EqualTo("high"));
            Assert.That(await EntryCountAsync(), Is.EqualTo(4), "three created entries and one summary, no entry per row");
        });
    }

    [Test]
    public async Task A_bulk_change_rolled_back_leaves_no_summary()
    {
        await CreateAsync("bulk", "low");

        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var affected = await db.Notes.ExecuteDeleteAsync();
            db.AddAuditSummary<Note>(AuditAction.Deleted, affected);
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.That(await EntryCountAsync(), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.notes"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_log_pages_newest_first_without_skipping_or_repeating_entries()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            Factory.Time.Advance(i % 2 == 0 ? TimeSpan.FromSeconds(1) : TimeSpan.Zero);
            ids.Add((await CreateAsync($"note {i}")).Note.Id);
        }

        var walked = new List<AuditEntryItem>();
        string? cursor = null;
        do
        {
            var page = await ListAsync(new AuditLogQuery(EntityType: "note"), new PageRequest(3, cursor));
            Assert.That(page.Items, Has.Count.LessThanOrEqualTo(3));
            walked.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null && walked.Count < 100);

        var all = (await ListAsync(new AuditLogQuery(), new PageRequest(500, IncludeTotal: true))).Items;
        Assert.Multiple(() =>
        {
            Assert.That(walked.Select(e => e.Id), Is.EqualTo(all.Select(e => e.Id)));
            Assert.That(walked.Select(e => e.EntityId), Is.EquivalentTo(ids.Cast<Guid?>()));
            Assert.That(walked.Select(e => e.OccurredAt), Is.Ordered.Descending);
        });
    }

    [Test]
    public async Task The_log_filters_by_entity_and_time_range()
    {
        var (first, etag) = await CreateAsync("first");
        var start = Factory.Time.UtcNow();
        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        await PutAsync(first.Id, "first, edited", "normal", etag);
        var (second, _) = await CreateAsync("second");
        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        var end = Factory.Time.UtcNow();
        await CreateAsync("third");

        var history = await ListAsync(new AuditLogQuery("note", first.Id), new PageRequest(IncludeTotal: true));
        var window = await ListAsync(new AuditLogQuery(From: start.AddTicks(10), To: end));

        Assert.Multiple(() =>
        {
            Assert.That(history.Items.Select(e => (e.EntityId, e.Action)), Is.EqualTo(new (Guid?, AuditAction)[] { (first.Id, AuditAction.Updated), (first.Id, AuditAction.Created) }));
            Assert.That(history.Total, Is.EqualTo(2));
            Assert.That(window.Items.Select(e => e.EntityId), Is.EquivalentTo(new Guid?[] { first.Id, second.Id }));
        });
    }

    [Test]
    public void An_entity_id_without_its_type_or_an_empty_time_range_is_a_validation_error()
    {
        var now = Factory.Time.UtcNow();

        var noType = Assert.ThrowsAsync<ValidationFailedException>(() => ListAsync(new AuditLogQuery(EntityId: Guid.CreateVersion7())))!;
        var emptyRange = Assert.ThrowsAsync<ValidationFailedException>(() => ListAsync(new AuditLogQuery(From: now, To: now)))!;

        Assert.That(noType.Errors.Keys, Is.EqualTo(new[] { "entityType" }));
        Assert.That(emptyRange.Errors.Keys, Is.EqualTo(new[] { "to" }));
    }

    // Customer 7 has a long history (1,000 entries): its first page must read 51 index entries, not sort them all.
    [TestCase("entity_type = 'customer' AND entity_id = '00000000-0000-7000-8000-000000000007'", "ix_audit_entries_entity")]
    [TestCase("actor_id = '00000000-0000-7000-9000-000000000003'", "ix_audit_entries_actor")]
    [TestCase("owner_id = '00000000-0000-7000-a000-000000000005'", "ix_audit_entries_owner")]
    [TestCase("occurred_at < '2026-11-23T09:00:00Z'", "ix_audit_entries_occurred_at")]
    public async Task Each_way_the_log_is_read_seeks_an_index_in_page_order(string filter, string index)
    {
        await using var connection = new Npgsql.NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await connection.OpenAsync();
        await using (var seed = new Npgsql.NpgsqlCommand(
            """
            INSERT INTO platform.audit_entries (id, occurred_at, action, entity_type, entity_id, owner_id, actor_kind, actor_id, changes)
            SELECT gen_random_uuid(), timestamptz '2026-11-23T08:00:00Z' + i * interval '1 second', 'updated',
                   CASE WHEN i % 40 = 0 THEN 'customer' ELSE (ARRAY['customer', 'lead', 'note'])[i % 3 + 1] END,
                   ('00000000-0000-7000-8000-' || lpad((CASE WHEN i % 40 = 0 THEN 7 ELSE 100 + i % 2000 END)::text, 12, '0'))::uuid,
                   CASE WHEN i % 4 = 0 THEN NULL ELSE ('00000000-0000-7000-a000-' || lpad((i % 50)::text, 12, '0'))::uuid END,
                   'user', CASE WHEN i % 10 = 0 THEN NULL ELSE ('00000000-0000-7000-9000-' || lpad((i % 40)::text, 12, '0'))::uuid END,
                   '{}'
            FROM generate_series(1, 40000) AS i;
            ANALYZE platform.audit_entries;
            """,
            connection))
        {
            await seed.ExecuteNonQueryAsync();
        }

        var plan = await ExplainAsync($"SELECT * FROM platform.audit_entries WHERE {filter} ORDER BY occurred_at DESC, id DESC LIMIT 51");
        Assert.That(plan, Does.Contain(index).And.Not.Contain("Sort"), plan);
    }

    /// <summary>Signs a request in as the user named by a header, until the Identity module brings real authentication.</summary>
    private sealed class TestUserStartupFilter : IStartupFilter
    {
        public const string Header = "X-Test-User";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Headers[Header].ToString().Split('|') is [var id, var name])
                {
                    context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(CrmClaimTypes.Subject, id), new Claim(CrmClaimTypes.Name, name)], "Test"));
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
