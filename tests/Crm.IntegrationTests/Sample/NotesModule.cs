using Crm.SharedKernel.Data;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Messaging;
using Crm.SharedKernel.Modules;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.IntegrationTests.Sample;

internal sealed record NoteBody(string Title, NotePriority Priority);

internal static class NotesModule
{
    public static IServiceCollection AddNotesSampleModule(this IServiceCollection services)
    {
        services.AddModuleDbContext<NotesDbContext>(NotesDbContext.SchemaName);
        services.AddHandlersFromAssembly(typeof(NotesModule).Assembly);
        services.AddModuleEndpoints("Notes", MapNotesEndpoints);
        services.AddModuleEndpoints("SampleDeals", SampleDealsModule.Map);
        services.AddSingleton<IDemoDataSeeder, NotesDemoSeeder>();
        return services;
    }

    private static void MapNotesEndpoints(IEndpointRouteBuilder api)
    {
        var notes = api.MapGroup("/notes").AllowAnonymous();
        notes.MapPost("/", async Task<Created<NoteItem>> (NoteBody body, IMediator mediator, HttpResponse response, CancellationToken ct) =>
        {
            var note = await mediator.Send(new CreateNote(body.Title, body.Priority), ct);
            response.SetETag(note.Version);
            return TypedResults.Created($"/api/v1/notes/{note.Id}", note);
        }).ReturnsETag();
        notes.MapGet("/", async ([AsParameters] ListNotesQuery query, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListNotes(new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false), query.Sort, QueryEnum.Parse<NotePriority>(query.Priority, "priority")), ct)));
        notes.MapGet("/{id:guid}", async (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
        {
            var note = await mediator.Send(new GetNote(id), ct);
            response.SetETag(note.Version);
            return TypedResults.Ok(note);
        }).ReturnsETag();
        notes.MapPut("/{id:guid}", async (Guid id, NoteBody body, HttpRequest request, IMediator mediator, CancellationToken ct) =>
        {
            var note = await mediator.Send(new UpdateNote(id, body.Title, body.Priority, IfMatch.From(request)), ct);
            request.HttpContext.Response.SetETag(note.Version);
            return TypedResults.Ok(note);
        }).HonoursIfMatch().ReturnsETag();
        notes.MapDelete("/{id:guid}", async (Guid id, HttpRequest request, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DeleteNote(id, IfMatch.From(request)), ct);
            return TypedResults.NoContent();
        }).HonoursIfMatch();
        // Deliberately without (or with untrue) header metadata: HeaderContractGuardTests prove the guard reports them.
        notes.MapPost("/undeclared-if-match", (HttpRequest request) => TypedResults.Ok(IfMatch.From(request).IsPresent));
        notes.MapGet("/undeclared-etag", (HttpResponse response) =>
        {
            response.SetETag(1);
            return TypedResults.NoContent();
        });
        notes.MapGet("/unkept-etag", () => TypedResults.Ok()).ReturnsETag();
        notes.MapGet("/undeclared-if-none-match", (HttpRequest request) => TypedResults.Ok(IfNoneMatch.Matches(request, "\"1\"")));
        notes.MapPost("/upload", (HttpRequest request) => TypedResults.Ok(request.ContentLength))
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(10 * 1024 * 1024));
        notes.MapGet("/fail", IResult () => throw new InvalidOperationException("secret internal detail"));
        notes.MapGet("/unique-race", IResult () =>
            throw new PostgresException("duplicate key value violates unique constraint \"ix_secret\"", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation));
    }
}

internal sealed record ListNotesQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Priority);

internal sealed class NotesDemoSeeder(IServiceScopeFactory scopes, TimeProvider time) : IDemoDataSeeder
{
    public async Task SeedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
        if (await db.Notes.AnyAsync(ct))
        {
            return;
        }

        db.Notes.AddRange(
            Note.Create("欢迎使用 CRM", NotePriority.High, time.UtcNow()),
            Note.Create("Demo note", NotePriority.Normal, time.UtcNow()));
        await db.SaveChangesAsync(ct);
    }
}
