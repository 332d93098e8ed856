/// Which of `count` items to show when only `limit` fit: all of them, or `limit` of them spread
/// evenly from the first to the last, so a long film's contact sheet covers all of it.
enum EvenSpread {
    static func indices(count: Int, limit: Int) -> [Int] {
        guard count > 0, limit > 0 else { return [] }
        if count <= limit { return Array(0..<count) }
        if limit == 1 { return [0] }
        // count > limit, so consecutive picks differ by more than one: strictly increasing.
        return (0..<limit).map { i in Int((Double(i) * Double(count - 1) / Double(limit - 1)).rounded()) }
    }
}
