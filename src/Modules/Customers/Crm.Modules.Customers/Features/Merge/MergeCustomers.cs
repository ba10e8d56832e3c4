using System.Text.Json.Serialization;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Balance;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Pool;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Merge;

/// <summary>
/// Merge a duplicate (the loser) into this customer (the survivor): the loser's contacts, follow-ups and owner history
/// move here, empty fields are filled from it, phones, emails and tags are unioned, and the loser becomes a redirect
/// (status merged). Managers (for customers in their team subtree) and administrators only.
/// </summary>
/// <param name="LoserId">The duplicate to merge away (required; not the survivor itself).</param>
/// <param name="Reason">Why (required, at most 500 characters); kept in the audit trail and the event.</param>
internal sealed record MergeCustomersRequest(Guid? LoserId, string Reason) : IRequest<VersionedCustomer>
{
    public const int MaxReasonLength = 500;

    [JsonIgnore]
    public Guid SurvivorId { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class MergeCustomersValidator : AbstractValidator<MergeCustomersRequest>
{
    public MergeCustomersValidator()
    {
        RuleFor(r => r.LoserId).NotNull().NotEqual(Guid.Empty);
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(MergeCustomersRequest.MaxReasonLength);
    }
}

internal sealed class MergeCustomersHandler(CustomersDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<MergeCustomersRequest, VersionedCustomer>
{
    public async Task<VersionedCustomer> Handle(MergeCustomersRequest request, CancellationToken cancellationToken)
    {
        // Both must be visible: a manager merges only customers of their team subtree (pool customers are everyone's).
        var survivor = await CustomerAccess.FindVisibleAsync(db.Customers, access, request.SurvivorId, cancellationToken, includePool: true);
        request.IfMatch.EnsureMatches(survivor.Version);
        var loserId = request.LoserId!.Value;
        if (loserId == survivor.Id)
        {
            throw CustomersProblems.MergeIntoItself(loserId);
        }

        var loser = await CustomerAccess.FindVisibleAsync(db.Customers, access, loserId, cancellationToken, includePool: true);
        if (survivor.Status == CustomerStatus.Archived || loser.Status == CustomerStatus.Archived)
        {
            throw CustomersProblems.CustomerArchived(survivor.Status == CustomerStatus.Archived ? survivor.Id : loser.Id);
        }

        EnsureWithinLimits(survivor, loser);

        var now = time.UtcNow();
        var reason = request.Reason.Trim();
        var source = loser.AsMergeSource();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The loser releases the identifiers the survivor takes before the survivor is saved: they are unique.
        loser.MergeInto(survivor.Id, survivor.RegistrationNumber is null, survivor.ExternalId is null, now);
        await db.SaveChangesAsync(cancellationToken);
        survivor.Absorb(source, now);
        await CustomerWrites.SaveAsync(db, survivor, cancellationToken);

        // The balance moves through the ledger, so both ledgers still sum to the balances (the loser's to 0).
        var moved = source.Details.OutstandingBalance;
        if (moved != 0m)
        {
            db.BalanceLedger.Add(BalanceLedgerEntry.Merge(loserId, -moved, BalanceLedgerKinds.MergedOut, actor.Id, reason, survivor.Code, now));
            db.BalanceLedger.Add(BalanceLedgerEntry.Merge(survivor.Id, moved, BalanceLedgerKinds.MergedIn, actor.Id, reason, loser.Code, now));
        }

        var survivorId = survivor.Id;
        var ownerId = survivor.OwnerId;
        var contacts = await db.Contacts.Where(c => c.CustomerId == loserId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.CustomerId, survivorId).SetProperty(c => c.OwnerId, ownerId), cancellationToken);
        var followUps = await db.FollowUps.Where(f => f.CustomerId == loserId)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.CustomerId, survivorId), cancellationToken);
        await db.CustomerOwnerHistory.Where(h => h.CustomerId == loserId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.CustomerId, survivorId), cancellationToken);
        await db.CustomerHistory.Where(h => h.CustomerId == loserId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.CustomerId, survivorId), cancellationToken);

        // The loser's deals count for the survivor from now on: a later reopen of one recomputes the survivor's last win
        // (Absorb already kept the later of the two).
        await db.WonDeals.Where(w => w.CustomerId == loserId)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.CustomerId, survivorId), cancellationToken);

        // The timeline follows; an event that named both (a bulk transfer) is already on the survivor's once.
        await db.TimelineEntries
            .Where(t => t.CustomerId == loserId && !db.TimelineEntries.Any(s => s.CustomerId == survivorId && s.SourceEventId == t.SourceEventId))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.CustomerId, survivorId), cancellationToken);
        await db.TimelineEntries.Where(t => t.CustomerId == loserId).ExecuteDeleteAsync(cancellationToken);

        // Customers merged into the loser earlier now point at the survivor: a chain resolves in one hop.
        var earlier = await db.Customers.AsNoTracking().Where(c => c.MergedIntoId == loserId).Select(c => c.Id).ToListAsync(cancellationToken);
        if (earlier.Count > 0)
        {
            await db.Customers.Where(c => c.MergedIntoId == loserId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.MergedIntoId, survivorId), cancellationToken);
        }

        // A summary entry is keyed when it is saved, so each goes out with its own SaveChanges.
        if (contacts > 0)
        {
            db.AddAuditSummary<Contact>(AuditAction.Updated, contacts, new Dictionary<string, object?> { ["customerId"] = survivorId, ["ownerId"] = ownerId }, ownerId);
            await db.SaveChangesAsync(cancellationToken);
        }

        db.AddAuditSummary<Customer>(AuditAction.Updated, 1, new Dictionary<string, object?>
        {
            ["mergedIntoId"] = survivorId, ["mergedFromId"] = loserId, ["mergeReason"] = reason,
            ["movedContacts"] = contacts, ["movedFollowUps"] = followUps,
        }, ownerId);

        db.AddIntegrationEvent(new CustomersMerged(now)
        {
            SurvivorId = survivorId, LoserId = loserId, LoserCode = loser.Code, EarlierLoserIds = earlier,
            SurvivorOwnerId = ownerId, Reason = reason, ActorId = actor.Id,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return CustomerProjection.Versioned(survivor);
    }

    private static void EnsureWithinLimits(Customer survivor, Customer loser)
    {
        Check("phones", survivor.Phones.Union(loser.Phones, StringComparer.Ordinal).Count(), CustomerDetailsValidator.MaxPhones);
        Check("emails", survivor.Emails.Union(loser.Emails, StringComparer.Ordinal).Count(), CustomerDetailsValidator.MaxEmails);
        Check("tags", survivor.Tags.Union(loser.Tags, StringComparer.Ordinal).Count(), CustomerDetailsValidator.MaxTags);

        static void Check(string field, int count, int max)
        {
            if (count > max)
            {
                throw CustomersProblems.MergeTooManyValues(field, count, max);
            }
        }
    }
}
