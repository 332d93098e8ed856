/// Reads bits most significant first, with Exp-Golomb codes, for the first fields of headers.
/// Every read returns nil past the end instead of trapping: the bytes come from producers' files.
struct BitReader {
    let data: UnsafeRawBufferPointer
    var bit = 0

    init(_ data: UnsafeRawBufferPointer) { self.data = data }

    mutating func readBit() -> Int? {
        guard bit / 8 < data.count else { return nil }
        let value = (Int(data[bit / 8]) >> (7 - bit % 8)) & 1
        bit += 1
        return value
    }

    mutating func readBits(_ count: Int) -> Int? {
        var value = 0
        for _ in 0..<count {
            guard let b = readBit() else { return nil }
            value = (value << 1) | b
        }
        return value
    }

    mutating func readUE() -> Int? {
        var zeros = 0
        while true {
            guard let b = readBit() else { return nil }
            if b == 1 { break }
            zeros += 1
            if zeros > 31 { return nil }
        }
        guard let rest = readBits(zeros) else { return nil }
        return (1 << zeros) - 1 + rest
    }

    mutating func readSE() -> Int? {
        guard let k = readUE() else { return nil }
        return k % 2 == 1 ? (k + 1) / 2 : -(k / 2)
    }
}
