using Crm.Modules.Customers.Contracts;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Sales.Features.Activities;

internal static class ActivityProblems
{
    public const string ContactNotReachable = ProblemTypes.BaseUri + "contact-not-reachable";
    public const string UnknownReference = ProblemTypes.BaseUri + "unknown-reference";
    public const string ActivityNotPlanned = ProblemTypes.BaseUri + "activity-not-planned";

    /// <summary>422 with the consent answer, so the client can show why and offer an override where one is allowed.</summary>
    public static BusinessRuleException NotReachable(Guid contactId, string channel, ContactReachability answer)
    {
        var problem = new BusinessRuleException(
            ContactNotReachable,
            "Contact not reachable",
            $"Contact '{contactId}' may not be reached by {channel} at that time ({answer.Reason}); send override.reason to schedule it anyway.");
        problem.Extensions["contactId"] = contactId;
        problem.Extensions["channel"] = channel;
        problem.Extensions["reason"] = answer.Reason;
        problem.Extensions["consent"] = answer.Consent;
        problem.Extensions["insideWindow"] = answer.InsideWindow;
        problem.Extensions["overridable"] = IsOverridable(answer);
        return problem;
    }

    /// <summary>A missing or archived contact cannot be overridden: there is nobody to call.</summary>
    public static bool IsOverridable(ContactReachability answer) => answer.Reason is "optedOut" or "outsideWindow";

    public static BusinessRuleException Unknown(string what, Guid id) =>
        new(UnknownReference, $"Unknown {what}", $"{what} '{id}' does not exist or is not visible to you.");

    public static ConflictException NotPlanned(Guid id, string status) =>
        new(ActivityNotPlanned, "Activity is not planned", $"Activity '{id}' is {status}; only planned activities can change.");
}
