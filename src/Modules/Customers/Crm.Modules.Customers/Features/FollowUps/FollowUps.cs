using System.Text.Json;
using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.FollowUps;

/// <summary>A follow-up (跟进记录) of a customer.</summary>
/// <param name="Id">Follow-up id.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="ContactId">The contact it was with, if any.</param>
/// <param name="Kind">note, visit, call or email.</param>
/// <param name="Content">What happened.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="NextFollowUpAt">When the next follow-up is planned.</param>
/// <param name="AuthorId">The user or API key that logged it.</param>
/// <param name="CreatedAt">When it was logged.</param>
internal sealed record FollowUpResponse(
    Guid Id,
    Guid CustomerId,
    Guid? ContactId,
    FollowUpKind Kind,
    string Content,
    DateTimeOffset OccurredAt,
    DateTimeOffset? NextFollowUpAt,
    Guid? AuthorId,
    DateTimeOffset CreatedAt);

internal static class FollowUpProjection
{
    public static readonly System.Linq.Expressions.Expression<Func<FollowUp, FollowUpResponse>> ToResponse = f =>
        new FollowUpResponse(f.Id, f.CustomerId, f.ContactId, f.Kind, f.Content, f.OccurredAt, f.NextFollowUpAt, f.AuthorId, f.CreatedAt);

    /// <summary>Newest first: the customer's latest activity on top.</summary>
    public static readonly SortDefinition<FollowUp, FollowUpResponse> Sort = new SortDefinition<FollowUp, FollowUpResponse>(f => f.Id, f => f.Id, "-occurredAt")
        .Add("occurredAt", f => f.OccurredAt, f => f.OccurredAt);

    private static readonly Func<FollowUp, FollowUpResponse> Compiled = ToResponse.Compile();

    public static FollowUpResponse From(FollowUp followUp) => Compiled(followUp);
}

/// <summary>Log a follow-up of a customer the caller can see; it updates the customer's lastFollowUpAt and nextFollowUpAt.</summary>
/// <param name="Kind">note, visit, call or email (required).</param>
/// <param name="Content">What happened (required, at most 4000 characters).</param>
/// <param name="OccurredAt">When it happened (required, not in the future).</param>
/// <param name="ContactId">One of the customer's contacts, if it was with one.</param>
/// <param name="NextFollowUpAt">When the next follow-up is planned (after occurredAt).</param>
internal sealed record CreateFollowUpRequest(
    FollowUpKind? Kind,
    string Content,
    DateTimeOffset? OccurredAt,
    Guid? ContactId = null,
    DateTimeOffset? NextFollowUpAt = null) : IRequest<FollowUpResponse>
{
    [JsonIgnore]
    public Guid CustomerId { get; init; }
}

internal sealed class CreateFollowUpValidator : AbstractValidator<CreateFollowUpRequest>
{
    // Clocks of phones and laptops drift; a follow-up logged "now" must not be refused for a few seconds.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public CreateFollowUpValidator(TimeProvider time)
    {
        RuleFor(r => r.Kind).NotNull().WithMessage("kind is required: note, visit, call or email.");
        RuleFor(r => r.Content).NotEmpty().MaximumLength(FollowUp.MaxContentLength);
        RuleFor(r => r.OccurredAt).NotNull()
            .Must(at => at <= time.GetUtcNow() + ClockSkew).WithMessage("occurredAt cannot be in the future.");
        RuleFor(r => r.NextFollowUpAt).Must((r, next) => next is null || r.OccurredAt is null || next > r.OccurredAt)
            .WithMessage("nextFollowUpAt must be after occurredAt.");
    }
}

internal sealed class CreateFollowUpHandler(CustomersDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<CreateFollowUpRequest, FollowUpResponse>
{
    public async Task<FollowUpResponse> Handle(CreateFollowUpRequest request, CancellationToken cancellationToken)
    {
        var customer = await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.CustomerId, cancellationToken);
        if (customer.Status == CustomerStatus.Archived)
        {
            throw CustomersProblems.CustomerArchived(customer.Id);
        }

        if (request.ContactId is { } contactId && !await db.Contacts.AnyAsync(c => c.Id == contactId && c.CustomerId == customer.Id, cancellationToken))
        {
            throw CustomersProblems.UnknownContact(contactId, customer.Id);
        }

        var occurredAt = request.OccurredAt!.Value.ToUniversalTime();
        var next = request.NextFollowUpAt?.ToUniversalTime();
        var followUp = FollowUp.Create(customer.Id, request.ContactId, request.Kind!.Value, request.Content, occurredAt, next, actor.Id, time.UtcNow());

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.FollowUps.Add(followUp);
        db.AddIntegrationEvent(new FollowUpLogged(followUp.CreatedAt)
        {
            CustomerId = customer.Id, FollowUpId = followUp.Id, ContactId = followUp.ContactId, Kind = JsonNamingPolicy.CamelCase.ConvertName(followUp.Kind.ToString()),
            Content = followUp.Content, FollowUpAt = followUp.OccurredAt, NextFollowUpAt = followUp.NextFollowUpAt, AuthorId = followUp.AuthorId,
        });
        await db.SaveChangesAsync(cancellationToken);
        // One conditional UPDATE, so concurrent follow-ups cannot move lastFollowUpAt backwards, and a follow-up
        // logged late for an earlier date leaves the newer one's plan in place.
        await db.Customers
            .Where(c => c.Id == customer.Id && (c.LastFollowUpAt == null || c.LastFollowUpAt <= occurredAt))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastFollowUpAt, occurredAt).SetProperty(c => c.NextFollowUpAt, next), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return FollowUpProjection.From(followUp);
    }
}

internal sealed record ListFollowUpsRequest(Guid CustomerId, PageRequest Page, string? Sort, Guid? ContactId, FollowUpKind? Kind) : IRequest<Page<FollowUpResponse>>;

internal sealed class ListFollowUpsHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<ListFollowUpsRequest, Page<FollowUpResponse>>
{
    public async Task<Page<FollowUpResponse>> Handle(ListFollowUpsRequest request, CancellationToken cancellationToken)
    {
        var order = FollowUpProjection.Sort.Parse(request.Sort);
        await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.CustomerId, cancellationToken);
        var followUps = db.FollowUps.AsNoTracking().Where(f => f.CustomerId == request.CustomerId);
        if (request.ContactId is { } contactId)
        {
            followUps = followUps.Where(f => f.ContactId == contactId);
        }

        if (request.Kind is { } kind)
        {
            followUps = followUps.Where(f => f.Kind == kind);
        }

        return await followUps.ToPageAsync(FollowUpProjection.ToResponse, order, request.Page, cancellationToken);
    }
}
