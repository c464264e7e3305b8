/// "a", "a and b", "a, b and c": a list as a sentence says it.
package enum EnglishList {
    package static func join(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}
