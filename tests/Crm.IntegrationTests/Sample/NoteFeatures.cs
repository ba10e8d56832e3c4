using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.IntegrationTests.Sample;

internal sealed record NoteItem(Guid Id, string Title, NotePriority Priority, DateTimeOffset CreatedAt, uint Version);

internal sealed record CreateNote(string Title, NotePriority Priority) : IRequest<NoteItem>;

internal sealed class CreateNoteValidator : AbstractValidator<CreateNote>
{
    public CreateNoteValidator()
    {
        RuleFor(c => c.Title).NotEmpty().MaximumLength(200);
        RuleFor(c => c.Priority).IsInEnum();
    }
}

internal sealed class CreateNoteHandler(NotesDbContext db, TimeProvider time) : IRequestHandler<CreateNote, NoteItem>
{
    public async Task<NoteItem> Handle(CreateNote request, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        var note = Note.Create(request.Title, request.Priority, now);
        db.Notes.Add(note);
        db.AddIntegrationEvent(new NoteCreated(note.Id, note.Title, now));
        await db.SaveChangesAsync(cancellationToken);
        return NoteQueries.ToItem(note);
    }
}

internal sealed record GetNote(Guid Id) : IRequest<NoteItem>;

internal sealed class GetNoteHandler(NotesDbContext db) : IRequestHandler<GetNote, NoteItem>
{
    public async Task<NoteItem> Handle(GetNote request, CancellationToken cancellationToken) =>
        await db.Notes.AsNoTracking().Where(n => n.Id == request.Id).Select(NoteQueries.Projection).SingleOrDefaultAsync(cancellationToken)
        ?? throw new NotFoundException("Note", request.Id);
}

internal sealed record UpdateNote(Guid Id, string Title, NotePriority Priority, IfMatch IfMatch) : IRequest<NoteItem>;

internal sealed class UpdateNoteValidator : AbstractValidator<UpdateNote>
{
    public UpdateNoteValidator() => RuleFor(c => c.Title).NotEmpty().MaximumLength(200);
}

internal sealed class UpdateNoteHandler(NotesDbContext db) : IRequestHandler<UpdateNote, NoteItem>
{
    public async Task<NoteItem> Handle(UpdateNote request, CancellationToken cancellationToken)
    {
        var note = await db.Notes.SingleOrDefaultAsync(n => n.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Note", request.Id);
        request.IfMatch.EnsureMatches(note.Version);
        note.Update(request.Title, request.Priority);
        await db.SaveChangesAsync(cancellationToken);
        return NoteQueries.ToItem(note);
    }
}

internal sealed record DeleteNote(Guid Id, IfMatch IfMatch) : IRequest<Unit>;

internal sealed class DeleteNoteHandler(NotesDbContext db) : IRequestHandler<DeleteNote, Unit>
{
    public async Task<Unit> Handle(DeleteNote request, CancellationToken cancellationToken)
    {
        var note = await db.Notes.SingleOrDefaultAsync(n => n.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("Note", request.Id);
        request.IfMatch.EnsureMatches(note.Version);
        db.Notes.Remove(note);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}

internal sealed record ListNotes(PageRequest Page, string? Sort, NotePriority? Priority) : IRequest<Page<NoteItem>>;

internal sealed class ListNotesHandler(NotesDbContext db) : IRequestHandler<ListNotes, Page<NoteItem>>
{
    public Task<Page<NoteItem>> Handle(ListNotes request, CancellationToken cancellationToken)
    {
        var order = NoteQueries.Sort.Parse(request.Sort);
        var query = db.Notes.AsNoTracking();
        if (request.Priority is { } priority)
        {
            query = query.Where(n => n.Priority == priority);
        }

        return query.ToPageAsync(NoteQueries.Projection, order, request.Page, cancellationToken);
    }
}

internal static class NoteQueries
{
    public static readonly System.Linq.Expressions.Expression<Func<Note, NoteItem>> Projection =
        n => new NoteItem(n.Id, n.Title, n.Priority, n.CreatedAt, n.Version);

    public static readonly SortDefinition<Note, NoteItem> Sort = new SortDefinition<Note, NoteItem>(n => n.Id, i => i.Id, "-createdAt")
        .Add("createdAt", n => n.CreatedAt, i => i.CreatedAt)
        .Add("title", n => n.Title, i => i.Title);

    private static readonly Func<Note, NoteItem> Compiled = Projection.Compile();

    public static NoteItem ToItem(Note note) => Compiled(note);
}
