using Crm.Modules.Customers.Contracts;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Activities;

/// <summary>Why a consent refusal is overridden: the reason is stored on the activity and in the audit trail.</summary>
/// <param name="Reason">Why the contact is reached anyway (required, at most 500 characters).</param>
internal sealed record ActivityConsentOverride(string? Reason);

/// <summary>The rules every create and update of an activity passes, in the order a client would fix them.</summary>
internal sealed class ActivityWrites(SalesDbContext db, IUserDirectory users, ICustomerDirectory customers, ContactReferences contacts, IContactConsent consent)
{
    private static readonly HashSet<string> Channels = new(["phone", "email", "sms", "wechat", "visit", "mail"], StringComparer.Ordinal);

    /// <summary>Field rules that need no database: 400 with field errors.</summary>
    public static void ValidateShape(ActivityDetails details)
    {
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(details.Subject) || details.Subject.Length > Activity.MaxSubjectLength)
        {
            errors.Add(("subject", $"subject is required, at most {Activity.MaxSubjectLength} characters."));
        }

        if (details.Description is { Length: > Activity.MaxTextLength })
        {
            errors.Add(("description", $"description is at most {Activity.MaxTextLength} characters."));
        }

        if (details.Kind != ActivityKind.Task && details.EndAt is null)
        {
            errors.Add(("endAt", "endAt is required for calls, meetings, visits and emails."));
        }

        if (details.EndAt is { } end && details.Kind != ActivityKind.Task && end <= details.StartAt)
        {
            errors.Add(("endAt", "endAt must be after startAt."));
        }
        else if (details.EndAt is { } until && details.Kind != ActivityKind.Task && until - details.StartAt > Activity.MaxDuration)
        {
            errors.Add(("endAt", "An activity lasts at most 31 days."));
        }

        if (details.Channel is { } channel && (!Activity.ReachesContact(details.Kind) || !Channels.Contains(channel)))
        {
            errors.Add(("channel", "channel is phone, email, sms, wechat, visit or mail, and only for calls, visits and emails."));
        }

        if (details.AttendeeIds.Count > Activity.MaxAttendees)
        {
            errors.Add(("attendeeIds", $"At most {Activity.MaxAttendees} attendees."));
        }

        if (details.ReminderMinutesBefore is < 0 or > 40320)
        {
            errors.Add(("reminderMinutesBefore", "reminderMinutesBefore is 0 to 40320 (four weeks)."));
        }

        if (details.ConsentOverrideReason is { } reason && (string.IsNullOrWhiteSpace(reason) || reason.Length > 500))
        {
            errors.Add(("override.reason", "override.reason is required when override is sent, at most 500 characters."));
        }

        if (errors.Count > 0)
        {
            throw ValidationFailedException.From(errors);
        }
    }

    /// <summary>
    /// References must exist (and the customer be visible to the caller): 422 otherwise. The contact must be one of the
    /// customer's (400 on contactId otherwise); on an update (<paramref name="before"/>) it is checked again only when the
    /// contact or the customer changes, so editing the subject of an activity whose contact was archived since still works.
    /// </summary>
    public async Task CheckReferencesAsync(ActivityDetails details, Guid ownerId, AccessScope scope, Activity? before, CancellationToken ct)
    {
        var userIds = details.AttendeeIds.Append(ownerId).Distinct().ToList();
        var found = await users.FindByIdsAsync(userIds, ct);
        if (userIds.FirstOrDefault(id => !found.TryGetValue(id, out var user) || !user.Active) is var missing && missing != Guid.Empty)
        {
            throw ActivityProblems.Unknown("User", missing);
        }

        if (details.CustomerId is { } customerId)
        {
            var snapshots = await customers.FindAsync([customerId], ct);
            if (!snapshots.TryGetValue(customerId, out var customer) || !scope.CanSee(customer.OwnerId, includeUnowned: true))
            {
                throw ActivityProblems.Unknown("Customer", customerId);
            }
        }

        if (details.ContactId is { } contactId
            && (before is null || contactId != before.ContactId || details.CustomerId != before.CustomerId))
        {
            await contacts.EnsureContactOfCustomerAsync(contactId, details.CustomerId, ct);
        }

        if (details.OpportunityId is { } opportunityId && !await db.Opportunities.AnyAsync(o => o.Id == opportunityId, ct))
        {
            throw ActivityProblems.Unknown("Opportunity", opportunityId);
        }
    }

    /// <summary>
    /// Calls, visits and emails with a contact ask <see cref="IContactConsent"/> at the start time. Opted-out
    /// channels and times outside the contact's window are refused unless an override reason is given; a missing
    /// or archived contact is always refused.
    /// </summary>
    public async Task CheckConsentAsync(ActivityDetails details, CancellationToken ct)
    {
        if (details.ContactId is not { } contactId || !Activity.ReachesContact(details.Kind))
        {
            return;
        }

        var channel = details.Channel ?? Activity.DefaultChannel(details.Kind)!;
        var answer = await consent.CheckAsync(contactId, channel, details.StartAt, ct);
        if (answer.Reachable || (details.ConsentOverrideReason is not null && ActivityProblems.IsOverridable(answer)))
        {
            return;
        }

        throw ActivityProblems.NotReachable(contactId, channel, answer);
    }

    public async Task CheckAllAsync(ActivityDetails details, Guid ownerId, AccessScope scope, CancellationToken ct)
    {
        ValidateShape(details);
        await CheckReferencesAsync(details, ownerId, scope, before: null, ct);
        await CheckConsentAsync(details, ct);
    }
}
